package preempttrace

// The BPF object preempt_x86_bpfel.o and its loader preempt_x86_bpfel.go
// are generated from bpf/preempt.c by cilium/ebpf's bpf2go and committed,
// so building dlvx needs no clang. Regenerate with `make bpf` (clang and
// llvm-strip from the distribution: apt-get install clang llvm).
//
//go:generate go run github.com/cilium/ebpf/cmd/bpf2go@v0.22.0 -go-package preempttrace -target amd64 -no-global-types preempt bpf/preempt.c -- -O2 -Wall
