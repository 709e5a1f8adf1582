// Package preempttrace traces a dlvx location (a preempt: hook, SYMBOL+OFFSET,
// with or without an @gN filter) for the `dlvx trace` command, and turns its
// hits into events and a summary.
//
// An Event names the goroutine and thread that hit the location and the
// frame the hit is about: at a preemption hook, the preempted frame (below
// runtime.asyncPreempt, at its real line as patch 0004 computes it); at an
// offset location, the location itself. Two backends produce events:
//
//   - Ptrace (ptrace.go) sets a Delve tracepoint from the location string, so
//     the resolver and the goroutine filter (a breakpoint condition) are
//     Delve's, and reads the frame from Delve's stack at each stop. Every hit
//     stops the whole process.
//   - EBPF (ebpf*.go, linux/amd64) attaches a uprobe at the resolved address;
//     its BPF program (bpf/preempt.c) records goroutine, thread, time and
//     the preempted PC (0(SP) at runtime.asyncPreempt's entry) and applies
//     the goroutine filter in the kernel. User space only symbolises.
//
// A Summary aggregates the events (top functions and lines, events per
// goroutine, rate); Writer prints them as text, with a rate-limited live
// line, or as JSON, one object per event and a summary object last.
package preempttrace
