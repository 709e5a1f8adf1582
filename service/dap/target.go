package dap

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/dlvx/dlvx/srcpath"
	godap "github.com/google/go-dap"
)

// target is what a session debugs, as far as the layer knows it.
type target struct {
	mu     sync.Mutex
	binary string             // path of the executable; "" until known
	rules  []srcpath.PathRule // the launch or attach request's substitutePath
	// restarting: a restart request went to Delve, which has not
	// announced the new process yet (restart.go).
	restarting bool
}

// setBinary records path and reports whether it is the first binary of the
// session.
func (t *target) setBinary(path string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.binary != "" {
		return false
	}
	t.binary = path
	return true
}

// forgetBinary undoes setBinary, for an attach the layer refused.
func (t *target) forgetBinary() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.binary = ""
}

// Binary returns the executable's path, "" if not known yet.
func (t *target) Binary() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.binary
}

// setRules records the session's substitutePath rules.
func (t *target) setRules(rules []srcpath.PathRule) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rules = rules
}

// Rules returns the session's substitutePath rules.
func (t *target) Rules() []srcpath.PathRule {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.rules
}

// launchArgs are the launch and attach arguments the layer reads. The
// request itself is forwarded as the client wrote it.
type launchArgs struct {
	Mode      string `json:"mode"`
	Program   string `json:"program"`
	DlvCwd    string `json:"dlvCwd"`
	ProcessID int    `json:"processId"`
	WaitFor   string `json:"waitFor"`
	NoDebug   bool   `json:"noDebug"` // Run Without Debugging: nothing to examine
}

// pathArgs are read apart from launchArgs, so that a malformed
// substitutePath (Delve rejects it) does not hide the binary.
type pathArgs struct {
	SubstitutePath []srcpath.PathRule `json:"substitutePath"`
}

// startTarget finds the executable of a launch or attach request, when
// the request names it or, for a remote attach, the server serves one,
// and examines it before Delve sees the request. It returns the request's
// arguments and the doctor's refusal ("" to forward the request).
// Modes that build (debug, test) are examined at Delve's process event.
func (s *session) startTarget(command string, content []byte) (launchArgs, string) {
	msg, err := godap.DecodeProtocolMessage(content)
	if err != nil {
		return launchArgs{}, "" // Delve answers it with its own error
	}
	var raw json.RawMessage
	switch req := msg.(type) {
	case *godap.LaunchRequest:
		raw = req.Arguments
	case *godap.AttachRequest:
		raw = req.Arguments
	}
	var paths pathArgs
	if json.Unmarshal(raw, &paths) == nil {
		s.target.setRules(paths.SubstitutePath)
	}
	var args launchArgs
	if json.Unmarshal(raw, &args) != nil {
		return launchArgs{}, ""
	}
	path := binaryOf(command, args)
	if core := coreFile(raw, args); core != "" && path != "" && args.Mode == "core" && s.m.CoreDoctor != nil {
		s.examineCore(path, core)
		return args, ""
	}
	if path == "" && command == "attach" && args.Mode == "remote" && s.m.ServedBinary != nil {
		path = s.m.ServedBinary()
	}
	if path == "" {
		return args, ""
	}
	return args, s.examine(path)
}

// binaryOf returns the executable a launch or attach names, or "".
func binaryOf(command string, args launchArgs) string {
	switch {
	case args.NoDebug:
		return ""
	case command == "attach" && (args.Mode == "" || args.Mode == "local") && args.ProcessID > 0:
		return procExe(args.ProcessID)
	case command == "launch" && (args.Mode == "exec" || args.Mode == "core") && args.Program != "":
		if filepath.IsAbs(args.Program) || args.DlvCwd == "" {
			p, _ := filepath.Abs(args.Program)
			return p
		}
		return filepath.Join(args.DlvCwd, args.Program)
	}
	return ""
}

// processStarted examines the executable of a local process Delve
// started or attached to, if no request named it.
func (s *session) processStarted(content []byte) {
	msg, err := godap.DecodeProtocolMessage(content)
	if err != nil {
		return
	}
	ev, ok := msg.(*godap.ProcessEvent)
	if !ok || !ev.Body.IsLocalProcess || ev.Body.SystemProcessId <= 0 {
		return
	}
	s.examine(procExe(ev.Body.SystemProcessId))
}

// procExe names the executable of a local process.
func procExe(pid int) string { return "/proc/" + strconv.Itoa(pid) + "/exe" }
