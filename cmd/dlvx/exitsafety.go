package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/go-delve/delve/cmd/dlv/cmds"
	"github.com/go-delve/delve/pkg/terminal"
	"github.com/go-delve/delve/service"
)

// installExitSafety makes every way a session ends leave an attached
// process running, untraced and with its breakpoint instructions removed;
// killing is only ever an explicit answer.
//
//   - stdin ends at "Would you like to kill the process?": detach (Delve
//     alone would exit without detaching and leave its int3s behind);
//   - SIGTERM or SIGHUP to a terminal session, SIGHUP to a headless one:
//     stop the server, which detaches from an attached process and kills a
//     launched one, as at a normal exit (Delve dies and leaves its int3s).
//
// Delve already stops a headless server cleanly on SIGINT, SIGTERM and a
// client's disconnect, and halts the target on SIGINT in a terminal.
func installExitSafety() {
	terminal.KillPromptEOF = func() bool {
		fmt.Fprintln(os.Stderr, "\ndlvx: standard input closed at the kill prompt: detaching, the process keeps running")
		return false
	}
	cmds.ServerStarted = stopOnSignals
}

// stopOnSignals stops s cleanly when dlvx receives a signal Delve leaves
// to its default action, then exits with the shell's status for that
// signal (128+n). A signal dlvx was started with ignored (nohup) stays
// ignored.
func stopOnSignals(s service.Server, headless bool) {
	sigs := []os.Signal{syscall.SIGHUP}
	if !headless {
		sigs = append(sigs, syscall.SIGTERM)
	}
	var watch []os.Signal
	for _, sig := range sigs {
		if !signal.Ignored(sig) {
			watch = append(watch, sig)
		}
	}
	if len(watch) == 0 {
		return
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, watch...)
	go func() {
		sig := <-ch
		fmt.Fprintf(os.Stderr, "\ndlvx: received %v: %s\n", sig, endingWhat())
		if err := s.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "dlvx: stop the debugger: %v\n", err)
			os.Exit(1)
		}
		os.Exit(128 + int(sig.(syscall.Signal)))
	}()
}

// endingWhat says what stopping the session does to the process.
func endingWhat() string {
	if attachedPID < 0 {
		return "detaching from the process --waitfor found, which keeps running"
	}
	if attachedPID != 0 {
		return fmt.Sprintf("detaching from pid %d, which keeps running", attachedPID)
	}
	return "ending the session and the process it started"
}
