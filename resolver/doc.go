// Package resolver adds two breakpoint location syntaxes to Delve, resolved
// from the program's own machine code, and registers them with Delve's
// location-spec parser (patch 0002), so they work in the terminal (break,
// trace, clearall), over JSON-RPC (FindLocation, CreateBreakpoint with a
// location expression), in DAP function breakpoints (patch 0003) and again
// after restart.
//
// # Grammar
//
//	location  = offsetloc | hookloc
//	offsetloc = SYMBOL "+" OFFSET [ filter ]
//	hookloc   = "preempt:" HOOK [ filter ]
//	filter    = "@g" GOID { "," GOID }
//
// SYMBOL is a function's full name as Delve lists it (funcs): main.work,
// runtime.asyncPreempt, main.(*T).Run. OFFSET is a byte offset from the
// function's entry, decimal (13) or hexadecimal (0xd); it must be the start
// of an instruction, which is checked by decoding the function with
// golang.org/x/arch. The location is relocation-independent, so it names the
// same instruction in every run of a position-independent executable.
//
// HOOK is one of the async-preemption points of package preempt:
//
//	entry   first instruction of runtime.asyncPreempt (the preempted PC is at
//	        0(SP) on amd64, in LR on arm64)
//	call    runtime.asyncPreempt calling runtime.asyncPreempt2
//	park    runtime.asyncPreempt2 calling runtime.mcall: the goroutine stops
//	resume  after that call: the goroutine runs again
//	return  back in runtime.asyncPreempt, before registers are restored
//
// A breakpoint at a hook loads the stack down to the preempted frame at
// each stop, so the terminal prints which function was preempted, at which
// line and PC, with the stop; DAP clients see it in stackTrace.
//
// The filter keeps only stops on the listed goroutines, e.g.
// preempt:entry@g7 or main.work+0x1c@g7,12. It becomes the breakpoint
// condition runtime.curg.goid == 7 (joined with "&&" to a condition the user
// gives); the condition command replaces the whole condition. The filter,
// like re-resolution after restart, needs the breakpoint to be created from
// the location string: the terminal and DAP do that; a JSON-RPC client
// passes it as CreateBreakpoint's LocExpr (a breakpoint created from the
// addresses FindLocation returned has no filter).
//
// # Errors
//
// A location in this syntax that cannot be resolved fails with a typed
// error saying why: *UnknownSymbolError (with the closest names),
// *AmbiguousError, *OffsetError (past the end, or inside an instruction,
// naming it and the neighbouring instruction starts), *SyntaxError, or an
// error from package preempt (no symbol table, not a Go program, hook not
// found, unsupported architecture). A name shared by a function body and its
// ABI0 wrapper resolves to the body, with a notice; append ".abi0" to the
// name to pick the wrapper.
//
// # Async preemption
//
// Hooks only fire when the runtime preempts asynchronously. Delve turns that
// off on linux/arm64 (a restarted instruction sequence can report a
// breakpoint twice), and GODEBUG=asyncpreemptoff=1 turns it off anywhere.
// Resolving a preempt: location in such a process sets
// runtime.debug.asyncpreemptoff back to 0 and sends a notice. Before the
// runtime has started, GODEBUG=asyncpreemptoff=1 in the target's
// environment would undo that, so the resolver reads the environment
// (Linux) and sends a notice that hooks will not fire.
//
// # Notices
//
// What the user should know about a location that resolved (the ABI0
// choice, async preemption turned on or found off) is a finding.Finding,
// built in notices.go from the catalog (finding/catalog_resolver.go) and
// passed to Resolver.Notify. cmd/dlvx shows it in the DAP client's Debug
// Console, like the doctor's findings, or on standard error.
//
// Parsing and validation are pure; only the Delve adapter (delve.go) reads
// the target.
package resolver
