package dap

import (
	"context"
	"encoding/json"
	"fmt"

	godap "github.com/google/go-dap"
)

// A RequestLinter judges the configuration a launch, attach or restart
// request carries (the arguments VS Code sent, after vscode-go resolved
// launch.json) before Delve builds or starts anything. cmd/dlvx installs
// package dapdoctor's.
type RequestLinter interface {
	// Lint returns what the user should know about a request's
	// configuration. An error means the lint could not run; it is not a
	// finding.
	Lint(ctx context.Context, req LintRequest) (Report, error)
}

// A LintRequest is the configuration of one request.
type LintRequest struct {
	Command string          // "launch", "attach" or "restart"
	Args    json.RawMessage // the request's arguments; a restart's new configuration
	// Launched is, for a restart, the arguments of the session's launch:
	// what Delve keeps.
	Launched json.RawMessage
}

// lint shows the linter's report on a launch, attach or restart request,
// before the request reaches Delve, and keeps a launch's arguments for a
// later restart. A request the layer cannot decode is left to Delve,
// which answers it with its own error.
func (s *session) lint(command string, content []byte) {
	req := LintRequest{Command: command}
	msg, err := godap.DecodeProtocolMessage(content)
	if err != nil {
		return
	}
	switch r := msg.(type) {
	case *godap.LaunchRequest:
		req.Args = r.Arguments
		s.launched = r.Arguments
	case *godap.AttachRequest:
		req.Args = r.Arguments
	case *godap.RestartRequest:
		var wrapped struct {
			Arguments json.RawMessage `json:"arguments"`
		}
		if json.Unmarshal(r.Arguments, &wrapped) != nil || s.launched == nil {
			return
		}
		req.Args, req.Launched = wrapped.Arguments, s.launched
	}
	if len(req.Args) == 0 || s.m.Linter == nil {
		return
	}
	rep, err := s.m.Linter.Lint(context.Background(), req)
	if err != nil {
		s.output("console", fmt.Sprintf("dlvx: the %s request could not be checked: %v (%v)\n", command, err, ErrIDDoctorFailed))
		return
	}
	s.show(rep)
}
