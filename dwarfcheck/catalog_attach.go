package dwarfcheck

// attachCatalog holds the finding IDs of the attach preflight (package
// attachcheck): causes AT-*, EX-* and ENV-ARCH of the failure taxonomy
// that are read from /proc and the host rather than from the binary.
var attachCatalog = map[string]catalogEntry{
	"AT-STATE-GONE": {SevError, "no process with this PID",
		"The PID names no process in the PID namespace this /proc shows: it has exited, or the PID was read in another namespace (a container's PID seen from the host, or the reverse)."},
	"AT-STATE-ZOMBIE": {SevError, "process has exited and is a zombie",
		"A zombie has no threads and no memory left to debug: it only waits for its parent to collect its exit status. Nothing can attach to it."},
	"AT-STATE-STOPPED": {SevWarn, "process is stopped by a signal",
		"The process is in job-control stop (SIGSTOP, SIGTSTP, a terminal read from the background): someone may have stopped it on purpose. The debugger attaches and resumes it: continue runs it, and a detach sends SIGCONT (Delve 1.27.2, measured), so it keeps running after the session."},
	"AT-TRACER": {SevError, "process is already traced by another program",
		"A process can have only one tracer. Another debugger, strace, an IDE session or a crash handler holds it: the attach fails with \"operation not permitted\" whatever the permissions. Connect to that debugger instead, or stop it first."},
	"AT-USER": {SevError, "process belongs to another user",
		"Only the process's own user, or a holder of CAP_SYS_PTRACE (root), may trace it. The kernel compares the real, effective and saved user and group IDs of the process with the debugger's."},
	"AT-USER-NONDUMPABLE": {SevError, "process is not dumpable",
		"The process runs a setuid or capability-raised program, or called prctl(PR_SET_DUMPABLE, 0). The kernel lets only CAP_SYS_PTRACE holders trace it, even from the same user; its /proc files belong to root."},
	"AT-CONTAINER-CAP": {SevError, "debugger lacks CAP_SYS_PTRACE",
		"This attach needs CAP_SYS_PTRACE (another user's process, a non-dumpable one, or Yama), and the debugger runs without it although it is root: the capability was dropped, as Docker and Kubernetes do by default. Changing Yama does not help."},
	"AT-CONTAINER-SECCOMP": {SevError, "a seccomp filter denies ptrace to the debugger",
		"The debugger runs under a seccomp filter that refuses the ptrace system call (old Docker profiles, systemd SystemCallFilter, sandboxes). No permission or Yama setting helps until the filter allows ptrace."},
	"AT-YAMA-1": {SevError, "Yama allows tracing only of descendants",
		"kernel.yama.ptrace_scope is 1: a process may trace only its own descendants unless it holds CAP_SYS_PTRACE. The target was not started by the debugger."},
	"AT-YAMA-2": {SevError, "Yama allows tracing only with CAP_SYS_PTRACE",
		"kernel.yama.ptrace_scope is 2 (admin-only attach): every attach needs CAP_SYS_PTRACE, whatever the user."},
	"AT-YAMA-3": {SevError, "Yama forbids all tracing until reboot",
		"kernel.yama.ptrace_scope is 3: no process may trace another, not even root, and the value cannot be lowered without a reboot. Launching under the debugger is refused too."},
	"AT-PIDNS-HOST": {SevWarn, "debugger runs in a PID namespace where the PID may differ",
		"The debugger runs in a PID namespace other than the host's (a container). PIDs shown on the host (ps, top, docker top) are not the PIDs inside: look the process up with ps in this namespace."},
	"AT-PIDNS-NAMESPACED": {SevInfo, "process runs in another PID namespace",
		"The process lives in a child PID namespace (a container) and knows itself by another PID. Its files, source paths included, are those of its own root, visible under /proc/PID/root."},
	"AT-PIDNS-GORUN": {SevError, "PID is the go command, not the program",
		"go run and go test build the program into a temporary directory and run it as a child; the PID given is the go command itself. Attach to the child instead (which go run built without debug information), or build with -gcflags=all=\"-N -l\" and run the binary directly."},
	"AT-EXEDEL": {SevWarn, "executable was deleted since the process started",
		"The file the process runs was deleted (an upgrade, a rebuild): the debugger reads the running code through /proc/PID/exe, but on-disk sources may be newer than the code, so breakpoints can land on the wrong lines."},
	"AT-EXEDEL-REPLACED": {SevWarn, "executable was replaced since the process started",
		"A new file now exists at the path the process was started from: tools that open the path read the new build, not the running one, and on-disk sources probably match the new build. The debugger reads the running code through /proc/PID/exe."},
	"AT-NOTGO": {SevError, "process is not a Go program",
		"The executable has no Go build information and no Go function table: Delve debugs only Go programs. Use gdb or lldb for it."},
	"ENV-ARCH-EMULATED": {SevError, "process runs under an emulator",
		"/proc/PID/exe is an emulator (qemu user mode, Rosetta): the program is for another architecture and its emulated state cannot be traced with ptrace. Debug it on a matching machine, or run the emulator's gdb stub (qemu -g PORT)."},
	"EX-FREEZE": {SevInfo, "attaching stops the whole process",
		"While the debugger holds the process stopped, every thread is paused: requests time out and timers fire late. Continue promptly, or attach headless with --continue."},
	"AT-LEFTOVER-BP": {SevError, "breakpoint instruction left in the process's text",
		"A debugger that died while attached (kill -9, the OOM killer, a CI cancel, an IDE killing its adapter) left a breakpoint instruction where the executable has other bytes. The kernel let the process run on untraced: the first thread that executes the address dies of SIGTRAP (status 133), maybe hours later. dlvx repair PID restores the executable's bytes without stopping the process for more than a moment."},
	"AT-TEXT-MISMATCH": {SevWarn, "process text differs from its executable",
		"Bytes of an executable mapping differ from the mapped file in ways that are not breakpoint instructions: the file was modified in place after it was mapped, or the process patched its own code. The doctor cannot tell leftovers from intended changes there, and dlvx repair refuses to write it."},
}

func init() {
	for id, e := range attachCatalog {
		catalog[id] = e
	}
}

// NewFinding returns a Finding for a catalog ID with its catalog severity,
// title, explanation and documentation link. Packages outside dwarfcheck
// that produce findings (the attach preflight) use it; they add fixes.
func NewFinding(id string, ev ...Evidence) Finding {
	return newFinding(id, ev...)
}
