package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/dlvx/dlvx/attachcheck"
	"github.com/dlvx/dlvx/finding"
)

// stopTimeoutFlag names attach's bound on the wait for the process to stop.
const stopTimeoutFlag = "stop-timeout"

// stopTimeout is attach --stop-timeout.
var stopTimeout = 15 * time.Second

// errFrozen is the attach error for a process in a frozen cgroup.
var errFrozen = errors.New("not attempted")

// refuseFrozen ends dlvx attach, before anything is traced, when the
// preflight found the process frozen: attaching would wait for the thaw.
// It exits with status 1 (Delve ignores a command's error), after the
// cause and its fix (a *attachcheck.CauseError).
func refuseFrozen(w io.Writer, pid int, rep *finding.Report) {
	if rep == nil {
		return
	}
	f := attachcheck.First(rep, finding.SevError, "AT-STATE-FROZEN")
	if f == nil {
		return
	}
	fmt.Fprintf(w, "dlvx: %v\n", &attachcheck.CauseError{PID: pid, Cause: *f, Err: errFrozen})
	os.Exit(1)
}

// boundAttachWait gives up an attach to pid whose stop has not come after
// the timeout (a frozen cgroup, a thread in uninterruptible sleep): it
// sends SIGCONT, which discards the stop PTRACE_ATTACH queued so that the
// process does not stop later, says what it waited for, and exits; the
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
		st, err := attachcheck.ReadStatus("/proc/" + strconv.Itoa(pid) + "/status")
		if err != nil || st.State == 't' || !attachcheck.Host().TracedBySelf(st.TracerPid) {
			return // gone, stopped for us, or not attached yet by this process
		}
		why := "State: " + st.StateText
		if fz, ok := attachcheck.ReadFreeze("/proc", pid); ok {
			why += "; " + fz.File + ": " + fz.State
		}
		syscall.Kill(pid, syscall.SIGCONT)
		fmt.Fprintf(w, "dlvx: gave up after %v waiting for pid %d to stop for the debugger (PTRACE_ATTACH sent, no stop came; %s): "+
			"cancelled the stop with SIGCONT and detached; the process keeps running. A frozen container must be unpaused first; --%s changes the wait\n",
			timeout, pid, why, stopTimeoutFlag)
		os.Exit(1)
	})
}
