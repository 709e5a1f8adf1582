package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/dlvx/dlvx/textguard"
	"github.com/spf13/cobra"
)

// repairCommand is `dlvx repair PID`.
func repairCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "repair PID",
		Short: "Remove breakpoint instructions a dead debugger left in a running process.",
		Long: `Remove breakpoint instructions a dead debugger left in a running process.

A debugger killed while attached (kill -9, the OOM killer, a CI cancel)
leaves its breakpoint instructions in the process, which dies of SIGTRAP at
the first thread that reaches one. repair compares the process's text with
its executable and shared libraries, stops the process for a moment
(without a signal), writes the files' bytes back and lets it run on. It
works on what any debugger left: dlvx, upstream dlv, gdb.

It refuses a process a live debugger traces, and a mapping whose file no
longer matches it. "dlvx doctor --pid PID" lists leftovers without
touching the process.`,
		Args: cobra.ExactArgs(1),
		Run: func(cmd *cobra.Command, args []string) {
			pid, err := strconv.Atoi(args[0])
			if err != nil || pid <= 0 {
				err = fmt.Errorf("invalid PID %q", args[0])
			} else {
				err = runRepair(cmd.OutOrStdout(), pid)
			}
			if err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "dlvx repair: %v\n", err)
				os.Exit(1)
			}
		},
	}
}

func runRepair(w io.Writer, pid int) error {
	res, err := textguard.Repair(pid)
	var traced *textguard.TracedError
	switch {
	case errors.As(err, &traced):
		return fmt.Errorf("refusing to repair: %w", err)
	case errors.Is(err, textguard.ErrFileMismatch):
		return fmt.Errorf("refusing to repair: %w (the process's code cannot be compared with its file)", err)
	case err != nil && res == nil:
		return err
	}
	var lines []string
	for _, l := range res.Restored {
		lines = append(lines, leftoverFact(l))
	}
	if len(lines) == 0 && err == nil {
		fmt.Fprintf(w, "pid %d: no breakpoint instruction in its text; nothing to repair\n", pid)
		return nil
	}
	if len(lines) > 0 {
		fmt.Fprintf(w, "pid %d: restored %d breakpoint instruction(s):\n%s\n", pid, len(lines), joinLines(lines))
	}
	return err
}
