package finding

// resolverCatalog holds the finding IDs of the resolver's notices (package
// resolver): what the user should know about a breakpoint location that
// resolved, a choice made for them or a change made to the target. They
// reach the terminal's standard error and the DAP client's Debug Console.
var resolverCatalog = map[string]entry{
	"BP-FUNCNAME-ABI0": {SevInfo, "name is shared by a function and its ABI0 wrapper: the function is used",
		"A Go function called from assembly, or an assembly function called from Go, has an ABI0 wrapper that the debug information names like the function itself. A SYMBOL+OFFSET location counts OFFSET from the entry of the function's body, the code its disassembly shows; to break in the wrapper instead, append .abi0 to the name."},
	"AP-CORRECT-REENABLED": {SevInfo, "async preemption was off: dlvx turned it on so that preemption hooks fire",
		"preempt: locations stop where the runtime preempts a goroutine asynchronously, which never happens while runtime.debug.asyncpreemptoff is set (GODEBUG=asyncpreemptoff=1, or a //go:debug directive). Setting such a breakpoint set the variable to 0 in the target, so the program now preempts goroutines as Go does by default."},
	"AP-CORRECT-DOUBLEHIT": {SevWarn, "async preemption turned on for preemption hooks: a breakpoint may be reported hit twice",
		"Delve keeps async preemption off on linux/arm64, ppc64le and loong64: there a preempted sequence of instructions is restarted, so a breakpoint inside one can be reported twice for one execution (golang/go#36494). preempt: locations need it on, so setting one set runtime.debug.asyncpreemptoff to 0 in the target: expect occasional duplicate stops and hit counts too high."},
	"AP-CORRECT-UNREADABLE": {SevWarn, "async preemption state cannot be read: preemption hooks may never fire",
		"preempt: locations stop only where the runtime preempts a goroutine asynchronously, and the debugger turns that on by setting runtime.debug.asyncpreemptoff to 0. The variable could not be read, typically because the binary has no DWARF (-ldflags=-w or -s): if async preemption is off in the target, the breakpoint is set but never hit."},
	"AP-CORRECT-GODEBUG": {SevError, "the target's GODEBUG turns async preemption off: preemption hooks will not fire",
		"The process has not started its runtime yet, and its environment sets GODEBUG=asyncpreemptoff=1. When the runtime starts it reads GODEBUG and sets runtime.debug.asyncpreemptoff, undoing what the debugger set: goroutines are never preempted asynchronously, so preempt: breakpoints are never hit."},
	"AP-CORRECT-STILL-OFF": {SevError, "async preemption is off and could not be turned on: preemption hooks will not fire",
		"runtime.debug.asyncpreemptoff is set in the target and writing 0 to it failed (a core file, or a variable the debugger cannot write): goroutines are never preempted asynchronously, so preempt: breakpoints are never hit."},
}
