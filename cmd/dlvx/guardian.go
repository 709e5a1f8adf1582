package main

import (
	"fmt"
	"os"

	"github.com/dlvx/dlvx/textguard"
	"github.com/go-delve/delve/pkg/proc"
	"golang.org/x/sys/unix"
)

// guardianCmd is the first argument of a guardian process (see guardianMain).
const guardianCmd = "__guardian"

// installTextGuard makes every attached process hold breakpoint
// instructions only while it runs, journalled for a guardian process that
// restores them if dlvx dies (SIGKILL, the OOM killer).
func installTextGuard() {
	g := &textguard.Guard{
		Applies: textguard.AttachedProcess,
		Warn:    func(msg string) { fmt.Fprintf(os.Stderr, "dlvx: breakpoint guard: %s\n", msg) },
	}
	if self, err := os.Executable(); err == nil {
		g.StartGuardian = func(journal string, mem *os.File) (textguard.Guardian, error) {
			return textguard.SpawnGuardian(self, []string{guardianCmd}, journal, mem)
		}
	}
	proc.BreakpointText = g.Hooks()
}

// guardianMain runs the guardian the guard starts, "dlvx __guardian
// JOURNAL" with its pipe as file descriptor 3 and, when dlvx could open
// it, the process's /proc/PID/mem as 4, and exits; other arguments return.
// main calls it before anything else: no telemetry child (it would
// inherit the process's memory file and outlive the guardian's job) and no
// command tree for a process that should be waiting before the first
// breakpoint instruction is written.
func guardianMain(args []string) {
	if len(args) < 2 || args[1] != guardianCmd {
		return
	}
	if len(args) != 3 {
		fmt.Fprintf(os.Stderr, "usage: dlvx %s JOURNAL\n", guardianCmd)
		os.Exit(2)
	}
	unix.CloseOnExec(3) // nothing the guardian might start inherits them
	unix.CloseOnExec(4)
	mem := func(pid int) *os.File { return textguard.InheritedMem(4, pid) }
	rep, err := textguard.RunGuardian(args[2], os.NewFile(3, "guardian-pipe"), mem)
	if err != nil {
		fmt.Fprintf(os.Stderr, "dlvx guardian: %v\n", err)
		os.Exit(1)
	}
	if n := len(rep.Result.Restored); n > 0 || len(rep.Result.Foreign) > 0 {
		fmt.Fprintf(os.Stderr, "dlvx guardian: the debugger died: restored %d breakpoint instruction(s) in pid %d %v after; %d already clean, %d foreign left alone\n",
			n, rep.Target.PID, rep.Window, rep.Result.Clean, len(rep.Result.Foreign))
	}
	if rep.Continued {
		fmt.Fprintf(os.Stderr, "dlvx guardian: pid %d was left stopped by the debugger's queued SIGSTOPs: continued it\n", rep.Target.PID)
	}
	os.Exit(0)
}
