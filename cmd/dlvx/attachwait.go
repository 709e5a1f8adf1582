package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dlvx/dlvx/attachcheck"
	"github.com/dlvx/dlvx/finding"
)

// stopTimeoutFlag names attach's and dap's bound on the wait for the
// process to stop.
const stopTimeoutFlag = "stop-timeout"

// stopTimeout is attach --stop-timeout (dap --stop-timeout).
var stopTimeout = 15 * time.Second

// refuseFrozen ends dlvx attach, before anything is traced, when the
// preflight found the process frozen: attaching would wait for the thaw.
// It exits with status 1 (Delve ignores a command's error), after the
// cause and its fix (a *attachcheck.CauseError).
func refuseFrozen(w io.Writer, pid int, rep *finding.Report) {
	if err := attachcheck.FrozenCause(pid, rep); err != nil {
		fmt.Fprintf(w, "dlvx: %v\n", err)
		os.Exit(1)
	}
}

// boundAttachWait gives up an attach to pid whose stop has not come after
// the timeout (a frozen cgroup, a thread in uninterruptible sleep): it
// cancels the stop (cancelStop), says what it waited for, and exits; the
// exit ends the trace. An attach that reached its stop, or a server that
// runs, is left alone.
func boundAttachWait(w io.Writer, pid int, timeout time.Duration) {
	if timeout <= 0 {
		return
	}
	time.AfterFunc(timeout, func() {
		guard.mu.Lock()
		defer guard.mu.Unlock()
		if guard.server != nil {
			return
		}
		if err := cancelStop(pid, timeout); err != nil {
			fmt.Fprintf(w, "dlvx: %v\n", err)
			os.Exit(1)
		}
	})
}

// A StopTimeoutError is an attach given up because the process did not
// stop for the debugger within the bound.
type StopTimeoutError struct {
	PID    int
	Waited time.Duration
	Why    string // what the process is doing instead: its State, its freezer
}

func (e *StopTimeoutError) Error() string {
	return fmt.Sprintf("gave up after %v waiting for pid %d to stop for the debugger (PTRACE_ATTACH sent, no stop came; %s): "+
		"cancelled the stop with SIGCONT and detached; the process keeps running. A frozen container must be unpaused first; --%s changes the wait",
		e.Waited, e.PID, e.Why, stopTimeoutFlag)
}

// cancelStop gives up an attach to pid that this process traces and that
// has not stopped: it sends SIGCONT, which discards the stop PTRACE_ATTACH
// queued so that the process does not stop later, and returns a
// *StopTimeoutError; the caller must then end the trace (Delve's attach
// cannot be interrupted: dlvx exits). It returns nil, and does nothing,
// when pid is gone, stopped for the debugger or not traced by this process
// (the attach has not begun, or is done).
func cancelStop(pid int, waited time.Duration) error {
	st, err := attachcheck.ReadStatus("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil || st.State == 't' || !attachcheck.Host().TracedBySelf(st.TracerPid) {
		return nil
	}
	why := "State: " + st.StateText
	if fz, ok := attachcheck.ReadFreeze("/proc", pid); ok {
		why += "; " + fz.File + ": " + fz.State
	}
	syscall.Kill(pid, syscall.SIGCONT)
	return &StopTimeoutError{PID: pid, Waited: waited, Why: why}
}

// foundPID is the PID the last --waitfor (or DAP waitFor) attach found, 0
// before.
var foundPID atomic.Int64

// waitForFound is Delve's WaitForFound hook (patch 0014): the process
// --waitfor found gets the frozen check an attach by PID gets before Delve
// is called (in every front end), and dlvx attach --waitfor's bound on the
// wait for its stop.
func waitForFound(pid int) error {
	foundPID.Store(int64(pid))
	if !noPreflight {
		if err := attachcheck.RefuseFrozen(attachcheck.Host(), pid); err != nil {
			return err
		}
	}
	if attachedPID < 0 {
		boundAttachWait(os.Stderr, pid, stopTimeout)
	}
	return nil
}

// dapAttachGuard is the DAP layer's AttachGuard: the bound of dlvx
// attach, for an attach a DAP client asks for.
type dapAttachGuard struct{}

func (dapAttachGuard) StopTimeout() time.Duration { return stopTimeout }

// Abandon cancels the stop of a stuck attach to pid, or to the process a
// waitFor attach found.
func (dapAttachGuard) Abandon(pid int) error {
	if pid == 0 {
		pid = int(foundPID.Load())
	}
	if pid == 0 {
		return nil // waitFor has found nothing yet
	}
	return cancelStop(pid, stopTimeout)
}

// Detach exits: the process's trace ends with the tracer, and Delve, still
// inside its attach, has written nothing to it.
func (dapAttachGuard) Detach() { os.Exit(1) }
