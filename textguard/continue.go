package textguard

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// stopWindow is how long after the debugger's death the guardian watches
// for the stop continueDebuggerStop undoes. The SIGSTOPs are delivered as
// soon as the kernel has detached the threads, which is part of the
// debugger's own exit.
const stopWindow = 300 * time.Millisecond

// continueDebuggerStop resumes the process of pidfd when, within window,
// it is in a group stop (State T) with no tracer. Delve halts a process by
// sending SIGSTOP to each thread; a debugger killed while some of them were
// still queued leaves them to be delivered once the threads are untraced,
// and the process stops for good. dlvx only ever attaches to a running
// process (a stopped one is refused before it is traced, and an attach
// that times out is continued), so a stop there is the debugger's doing.
// It signals through the pidfd, so a reused PID is never signalled. It
// reports whether it sent SIGCONT.
func continueDebuggerStop(id Identity, pidfd int, window time.Duration) (bool, error) {
	deadline := time.Now().Add(window)
	for {
		state, ok := processState(id)
		if !ok {
			return false, nil // gone, or another process now
		}
		if state == 'T' {
			if tracer, err := TracerPID(id.PID); err == nil && tracer == 0 {
				if err := unix.PidfdSendSignal(pidfd, unix.SIGCONT, nil, 0); err != nil {
					return false, fmt.Errorf("continue %v: %w", id, err)
				}
				return true, nil
			}
		}
		if time.Now().After(deadline) {
			return false, nil
		}
		time.Sleep(2 * time.Millisecond) // polling /proc: no event says "stopped"
	}
}

// processState returns the state letter of the process id, and false when
// it is gone or its PID names another process.
func processState(id Identity) (byte, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", id.PID))
	if err != nil {
		return 0, false
	}
	if start, err := parseStart(string(data)); err != nil || start != id.Start {
		return 0, false
	}
	f, err := statFields(string(data))
	if err != nil || len(f) == 0 || len(f[0]) == 0 {
		return 0, false
	}
	return f[0][0], true
}
