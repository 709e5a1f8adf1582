package dap

import (
	"sync"
	"time"

	godap "github.com/google/go-dap"
)

// An AttachGuard keeps a local attach from waiting forever for a process
// that does not stop (a frozen cgroup, a thread in uninterruptible sleep).
// Delve's attach blocks its session until the process stops, and cannot be
// interrupted. cmd/dlvx installs one.
type AttachGuard interface {
	// StopTimeout is how long the layer waits for Delve's answer to a
	// local attach before it calls Abandon, and again after each Abandon
	// that returned nil; 0 waits forever.
	StopTimeout() time.Duration
	// Abandon is called while Delve has not answered a local attach to
	// pid (0 for an attach by waitFor, whose process only Delve knows).
	// When the attach waits for a stop that does not come, it cancels the
	// stop and returns what the attach waited for; nil means the attach is
	// not stuck (the process was not found yet, or it stopped and Delve is
	// reading it).
	Abandon(pid int) error
	// Detach ends the trace of an abandoned attach, after the client got
	// the error response. Delve is still inside its attach, so dlvx's
	// ends the process: the session cannot go on.
	Detach()
}

// pendingAttach is the local attach Delve has not answered yet.
type pendingAttach struct {
	mu        sync.Mutex
	seq       int64 // the client's seq of the attach request; 0 when none
	pid       int
	timer     *time.Timer
	abandoned bool // answered by the layer: drop Delve's answer
}

// localAttach reports whether args are those of an attach Delve makes
// itself, to a PID or by waitFor.
func localAttach(args launchArgs) bool {
	return (args.Mode == "" || args.Mode == "local") && (args.ProcessID > 0 || args.WaitFor != "")
}

// watchAttach starts the bound on Delve's answer to the attach request
// seq, when an AttachGuard is installed.
func (s *session) watchAttach(seq int64, args launchArgs) {
	g := s.m.AttachGuard
	if g == nil || !localAttach(args) || g.StopTimeout() <= 0 {
		return
	}
	a := &s.attach
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.seq != 0 {
		return // Delve answers a second attach without attaching
	}
	a.seq, a.pid, a.abandoned = seq, args.ProcessID, false
	a.timer = time.AfterFunc(g.StopTimeout(), s.attachStalled)
}

// attachStalled runs on the timer's goroutine: it asks the guard whether
// the attach is stuck and, if so, answers the request with the guard's
// explanation and lets the guard end the trace.
func (s *session) attachStalled() {
	a, g := &s.attach, s.m.AttachGuard
	a.mu.Lock()
	if a.seq == 0 || a.abandoned {
		a.mu.Unlock()
		return
	}
	err := g.Abandon(a.pid)
	if err == nil {
		a.timer.Reset(g.StopTimeout())
		a.mu.Unlock()
		return
	}
	a.abandoned = true
	seq := a.seq
	a.mu.Unlock()
	s.endProgress(int(seq))
	s.fail(seq, "attach", ErrIDAttachTimeout, err.Error())
	drain(s.client) // the client reads the answer before the end
	g.Detach()
}

// attachAnswered reports whether a response of Delve's to the request seq
// must be dropped: the layer answered it already. It ends the bound.
func (s *session) attachAnswered(seq int64) bool {
	a := &s.attach
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.seq == 0 || a.seq != seq {
		return false
	}
	a.timer.Stop()
	a.seq = 0
	return a.abandoned
}

// fail answers the client's request seq with an error the user is shown,
// as Delve words its own ("Failed to attach: ...").
func (s *session) fail(seq int64, command string, id ErrorID, text string) error {
	summary := "Failed to " + command
	er := &godap.ErrorResponse{Response: godap.Response{
		ProtocolMessage: godap.ProtocolMessage{Type: "response"},
		Command:         command, RequestSeq: int(seq), Message: summary,
	}}
	er.Body.Error = &godap.ErrorMessage{Id: int(id), Format: summary + ": " + text + " (" + id.String() + ")", ShowUser: true}
	return s.send(er)
}
