package main

import (
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/dlvx/dlvx/attachcheck"
	"github.com/go-delve/delve/cmd/dlv/cmds"
	"github.com/go-delve/delve/pkg/terminal"
	"github.com/go-delve/delve/service"
	"github.com/spf13/cobra"
)

// installExitSafety makes every way a session ends leave an attached
// process running, untraced and with its breakpoint instructions removed;
// killing is only ever an explicit answer.
//
//   - stdin ends at "Would you like to kill the process?": detach (Delve
//     alone would exit without detaching and leave its int3s behind);
//   - SIGTERM or SIGHUP to a terminal session, SIGHUP to a headless one:
//     stop the server, which detaches from an attached process and kills a
//     launched one, as at a normal exit (Delve dies and leaves its int3s);
//   - SIGINT, SIGTERM or SIGHUP while dlvx attach is still attaching: wait
//     until the attach is done, then detach (Delve dies and can leave the
//     process in the stop its attach sent).
//
// Delve already stops a headless server cleanly on SIGINT, SIGTERM and a
// client's disconnect, and halts the target on SIGINT in a terminal.
func installExitSafety() {
	terminal.KillPromptEOF = func() bool {
		fmt.Fprintln(os.Stderr, "\ndlvx: standard input closed at the kill prompt: detaching, the process keeps running")
		return false
	}
	cmds.ServerStarted = guard.started
}

// guard turns fatal signals into a clean stop of the debugger server.
var guard signalGuard

// signalGuard relays the signals it watches to one goroutine. Before the
// server runs it holds them (or exits when nothing is traced yet); after,
// it stops the server for the signals Delve leaves to their default action.
type signalGuard struct {
	mu       sync.Mutex
	ch       chan os.Signal
	server   service.Server // nil until the server runs
	headless bool
	pending  os.Signal // received before the server ran
}

// watch starts relaying sigs, except those dlvx was started with ignored
// (nohup keeps SIGHUP ignored).
func (g *signalGuard) watch(sigs ...os.Signal) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var watched []os.Signal
	for _, sig := range sigs {
		if !signal.Ignored(sig) {
			watched = append(watched, sig)
		}
	}
	if len(watched) == 0 {
		return
	}
	if g.ch == nil {
		g.ch = make(chan os.Signal, 1)
		go g.loop()
	}
	signal.Notify(g.ch, watched...)
}

// holdDuringAttach makes SIGINT, SIGTERM and SIGHUP wait for the attach
// to finish instead of killing dlvx in the middle of it.
func (g *signalGuard) holdDuringAttach() {
	g.watch(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
}

// started is the ServerStarted hook.
func (g *signalGuard) started(s service.Server, headless bool) {
	sigs := []os.Signal{syscall.SIGHUP}
	if !headless {
		sigs = append(sigs, syscall.SIGTERM)
	}
	g.watch(sigs...)
	g.mu.Lock()
	g.server, g.headless = s, headless
	pending := g.pending
	g.mu.Unlock()
	if pending != nil {
		stopAndExit(s, pending)
	}
}

func (g *signalGuard) loop() {
	for sig := range g.ch {
		g.mu.Lock()
		s, headless := g.server, g.headless
		if s == nil {
			if !tracingAnything() {
				g.mu.Unlock()
				fmt.Fprintf(os.Stderr, "\ndlvx: received %v before attaching: exiting\n", sig)
				os.Exit(exitStatus(sig))
			}
			if g.pending == nil {
				g.pending = sig
				fmt.Fprintf(os.Stderr, "\ndlvx: received %v while attaching: detaching as soon as the attach completes\n", sig)
			}
			g.mu.Unlock()
			continue
		}
		g.mu.Unlock()
		// Delve handles SIGINT (terminal: halt; headless: stop) and, when
		// headless, SIGTERM.
		if sig == syscall.SIGINT || (headless && sig == syscall.SIGTERM) {
			continue
		}
		stopAndExit(s, sig)
	}
}

// stopAndExit stops the server (detach or kill, as at a normal exit) and
// exits with the shell's status for sig.
func stopAndExit(s service.Server, sig os.Signal) {
	fmt.Fprintf(os.Stderr, "\ndlvx: received %v: %s\n", sig, endingWhat())
	if err := s.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "dlvx: stop the debugger: %v\n", err)
		os.Exit(1)
	}
	os.Exit(exitStatus(sig))
}

func exitStatus(sig os.Signal) int {
	if n, ok := sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 1
}

// tracingAnything reports whether a thread of this process traces any
// process: an attach has begun and dying now could leave it stopped.
func tracingAnything() bool {
	tracees, err := attachcheck.Host().Tracees()
	return err != nil || len(tracees) > 0 // cannot tell: assume an attach is under way
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

// hangupAsTerm makes SIGHUP stop `dlvx dap` the way SIGTERM does: Delve's
// dap command stops its server cleanly on SIGINT and SIGTERM (detaching
// from an attached process) but dies on SIGHUP with its breakpoints left
// in the process. It is the dap command's PreRunE.
func hangupAsTerm(*cobra.Command, []string) error {
	if signal.Ignored(syscall.SIGHUP) {
		return nil
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	go func() {
		<-ch
		fmt.Fprintln(os.Stderr, "\ndlvx: received hangup: stopping the DAP server as on SIGTERM (an attached process is detached)")
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
	}()
	return nil
}
