package dap

import (
	"context"
	"encoding/json"
	"fmt"

	godap "github.com/google/go-dap"
)

// A RequestLinter judges the configuration a launch or attach request
// carries (the arguments VS Code sent, after vscode-go resolved
// launch.json) before Delve builds or starts anything. cmd/dlvx installs
// package dapdoctor's.
type RequestLinter interface {
	// Lint returns what the user should know about the arguments of a
	// launch or attach request (command). An error means the lint could
	// not run; it is not a finding.
	Lint(ctx context.Context, command string, args json.RawMessage) (Report, error)
}

// lint shows the linter's report on a launch or attach request, before
// the request reaches Delve. A request the layer cannot decode is left to
// Delve, which answers it with its own error.
func (s *session) lint(command string, content []byte) {
	if s.m.Linter == nil {
		return
	}
	msg, err := godap.DecodeProtocolMessage(content)
	if err != nil {
		return
	}
	var args json.RawMessage
	switch req := msg.(type) {
	case *godap.LaunchRequest:
		args = req.Arguments
	case *godap.AttachRequest:
		args = req.Arguments
	}
	if len(args) == 0 {
		return
	}
	rep, err := s.m.Linter.Lint(context.Background(), command, args)
	if err != nil {
		s.output("console", fmt.Sprintf("dlvx: the %s request could not be checked: %v (%v)\n", command, err, ErrIDDoctorFailed))
		return
	}
	s.show(rep)
}
