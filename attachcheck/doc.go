// Package attachcheck is the attach preflight: before a debugger attaches
// to a process, it reads /proc and the host and reports, in causal order,
// why the attach would fail or do harm — the process is gone, a zombie,
// stopped or frozen (a paused container); another program traces it; it
// belongs to another user or is not dumpable; the debugger lacks
// CAP_SYS_PTRACE, or capabilities the process holds, or runs under a
// seccomp filter; Yama's ptrace_scope refuses it; the PID belongs to
// another PID namespace or is the go command of go run; the executable was
// deleted, replaced (in the process's own filesystem) or is an emulator;
// the program is not Go. It then runs the binary checks (package
// dwarfcheck) on the running executable, with Delve's function table
// (package breakcheck).
//
// It reads where the debugger and the process run (the host, one
// container, a sidecar, a Kubernetes pod) and phrases fixes for that place
// (place.go, placefix.go).
//
// Every piece of advice is a finding.Finding; the IDs are the AT-*, EX-*
// and ENV-ARCH causes of the failure taxonomy (finding/catalog_attach.go).
// The attach checks are finding.Checks on the executable's
// dwarfcheck.Input, bound to a Snapshot, and package finding runs them.
//
// The package never stops, signals or traces the process: it only reads
// files. The one system call it makes, under a seccomp filter, is a ptrace
// request on PID 0, which names no process. The /proc root and the
// filesystem root are fields of Env, so tests use a fake tree (Yama values,
// a read-only /proc/sys) as well as the real one.
//
// Platforms: what it diagnoses is Linux's (/proc, ptrace, Yama, seccomp),
// but the package builds everywhere dlvx does, because cmd/dlvx imports it
// on every system Delve supports and its parsing and checks only read a
// /proc tree through Env. The host's own parts are split by file name:
// host_linux.go holds the ptrace probe; host_other.go makes Take on Host()
// fail with ErrUnsupported; perms_unix.go reads file owners and access(2).
package attachcheck
