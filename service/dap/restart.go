package dap

import (
	"encoding/json"
	"strings"

	godap "github.com/google/go-dap"
)

// restartRequested notes a restart request, before Delve sees it. Delve
// answers the request at once, then rebuilds and starts a new process,
// and announces it with an "initialized" event only: no process event
// follows, so the executable the layer recorded (/proc/PID/exe of the
// first process, in the modes that build) would name a process that is
// gone, and every later unverified breakpoint would go unexplained.
// A restart of a launch applies the substitutePath of its new
// configuration when it has rules (Delve's setLaunchAttachArgs keeps the
// old ones for an empty list), so the layer does the same.
func (s *session) restartRequested(content []byte) {
	msg, err := godap.DecodeProtocolMessage(content)
	if err != nil {
		return
	}
	r, ok := msg.(*godap.RestartRequest)
	if !ok {
		return
	}
	s.target.setRestarting()
	var wrapped struct {
		Arguments struct {
			Request string `json:"request"`
			pathArgs
		} `json:"arguments"`
	}
	if json.Unmarshal(r.Arguments, &wrapped) == nil && wrapped.Arguments.Request == "launch" && len(wrapped.Arguments.SubstitutePath) > 0 {
		s.target.setRules(wrapped.Arguments.SubstitutePath)
	}
}

// restarted runs at Delve's "initialized" event: after a restart it
// records the new process's executable, which the breakpoints the client
// sets next are explained against. The doctor is not run again: Delve
// rebuilt with the launch's flags, the binary's findings are the same.
func (s *session) restarted() {
	if !s.target.takeRestarting() {
		return
	}
	d := s.debugger()
	if d == nil {
		return
	}
	if old := s.target.Binary(); old == "" || strings.HasPrefix(old, "/proc/") {
		if pid := d.ProcessPid(); pid > 0 {
			s.target.replaceBinary(procExe(pid))
		}
	}
}

// setRestarting notes a restart Delve has not announced yet.
func (t *target) setRestarting() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.restarting = true
}

// takeRestarting reports, once, whether a restart was pending.
func (t *target) takeRestarting() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.restarting
	t.restarting = false
	return r
}

// replaceBinary records the executable of a restarted session.
func (t *target) replaceBinary(path string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.binary = path
}
