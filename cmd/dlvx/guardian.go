package main

import (
	"fmt"
	"os"

	"github.com/dlvx/dlvx/textguard"
	"github.com/go-delve/delve/pkg/proc"
	"github.com/spf13/cobra"
)

// guardianCmd names the hidden subcommand a guardian process runs.
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

// guardianCommand is the hidden "dlvx __guardian JOURNAL" the guard starts,
// with its pipe as file descriptor 3 and, when dlvx could open it, the
// process's /proc/PID/mem as 4.
func guardianCommand() *cobra.Command {
	return &cobra.Command{
		Use:    guardianCmd + " JOURNAL",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		Run: func(cmd *cobra.Command, args []string) {
			mem := func(pid int) *os.File { return textguard.InheritedMem(4, pid) }
			rep, err := textguard.RunGuardian(args[0], os.NewFile(3, "guardian-pipe"), mem)
			if err != nil {
				fmt.Fprintf(os.Stderr, "dlvx guardian: %v\n", err)
				os.Exit(1)
			}
			if n := len(rep.Result.Restored); n > 0 || len(rep.Result.Foreign) > 0 {
				fmt.Fprintf(os.Stderr, "dlvx guardian: the debugger died: restored %d breakpoint instruction(s) in pid %d %v after; %d already clean, %d foreign left alone\n",
					n, rep.Target.PID, rep.Window, rep.Result.Clean, len(rep.Result.Foreign))
			}
		},
	}
}
