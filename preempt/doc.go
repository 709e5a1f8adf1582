// Package preempt finds the places where the Go runtime asynchronously
// preempts a goroutine, by decoding the machine code of the runtime in an
// ELF executable with golang.org/x/arch. Nothing is hard-coded per Go
// version: every hook is found from instructions and call targets.
//
// The hooks, in the order a preempted goroutine passes them:
//
//	entry   first instruction of runtime.asyncPreempt, the call the signal
//	        handler injects; the preempted PC is still recoverable here
//	        (amd64: at 0(SP); arm64: in LR)
//	call    the call from runtime.asyncPreempt into runtime.asyncPreempt2,
//	        after every register has been saved
//	park    each call to runtime.mcall in the body of runtime.asyncPreempt2:
//	        the goroutine leaves its stack to be parked or rescheduled
//	resume  the instruction after each of those calls, where the goroutine
//	        continues when it is scheduled again
//	return  the instruction after the call into runtime.asyncPreempt2, just
//	        before the registers are restored
//
// runtime.asyncPreempt2 is a Go function called from assembly, so the
// linker adds an ABI0 wrapper with the same name; the ELF symbol table tells
// them apart (the wrapper's symbol ends in ".abi0") and the body is used.
//
// Addresses are link-time addresses (ELF symbol values). For a
// position-independent executable the caller adds the load bias; Offset is
// relocation-independent.
//
// The instruction decoder (insn.go) is dlvx's only one: Decode for a
// function's instructions, CallsTo for the direct calls in a stretch of
// code (the doctor's search for runtime.Breakpoint calls). arch.go holds
// the facts about target architectures the other packages share: the
// GOARCH of an ELF header, and where Delve turns async preemption off.
//
// The package reads bytes and returns values. It does not start or touch
// processes, and imports nothing of Delve or of dlvx.
package preempt
