package dap

import (
	"context"
	"fmt"
	"strings"
)

// A Doctor examines the executable a session is about to debug. cmd/dlvx
// installs package dapdoctor's.
type Doctor interface {
	// Examine returns what the user should know about debugging the
	// executable at path. An error means the examination could not run;
	// it is not a finding. ctx carries the session's substitutePath
	// (PathRules) and the causes already shown (Shown): a cause the
	// configuration handles, or one already shown, is left out.
	Examine(ctx context.Context, path string) (Report, error)
}

// A Report is a doctor's findings, or a notice, rendered for a DAP client.
type Report struct {
	// Important holds one line per finding of warning or error severity,
	// shown in output category "important" (VS Code shows these in a
	// notification). No trailing newline.
	Important []string
	// Detail is the full text (evidence, explanation, fixes), shown in
	// the debug console. Empty when there is nothing to say.
	Detail string
	// Causes are the IDs of the findings Important shows (the failure
	// taxonomy's: "BP-TRIMPATH"). The session remembers them: a later
	// Examine is told (Shown) and leaves out what they already said.
	Causes []string
	// Refusal, when not empty, says why the attach must not be tried (the
	// process is frozen: Delve would wait for the thaw). The layer answers
	// the attach request with an error response carrying it, forwards
	// nothing to Delve, and examines the session's next attach again.
	Refusal string
}

// A BreakpointExplainer says why a breakpoint did not bind. cmd/dlvx
// installs package dapdoctor's.
type BreakpointExplainer interface {
	// ExplainLine explains an unverified breakpoint at file:line of the
	// executable at binary. It returns "" when it has nothing to add.
	ExplainLine(ctx context.Context, binary, file string, line int) (string, error)
	// ExplainFunction does the same for a function breakpoint.
	ExplainFunction(ctx context.Context, binary, name string) (string, error)
}

// examine records path as the session's executable, for the explainer,
// and runs the doctor on it once per session, sending its report as
// output events. It returns the report's Refusal; a refused executable is
// forgotten, so that the next attach is examined again.
func (s *session) examine(path string) string {
	if !s.target.setBinary(path) || s.m.Doctor == nil {
		return ""
	}
	ctx := withShown(withPathRules(context.Background(), s.target.Rules()), s.shown.list())
	rep, err := s.m.Doctor.Examine(ctx, path)
	if err != nil {
		s.output("console", fmt.Sprintf("dlvx: the doctor could not examine %s: %v (%v)\n", path, err, ErrIDDoctorFailed))
		return ""
	}
	s.show(rep)
	if rep.Refusal != "" {
		s.target.forgetBinary()
	}
	return rep.Refusal
}

// show sends a report as output events: each important line, then the
// detail for the debug console.
func (s *session) show(rep Report) {
	s.shown.add(rep.Causes)
	for _, line := range rep.Important {
		s.output("important", strings.TrimRight(line, "\n")+"\n")
	}
	if rep.Detail != "" {
		s.output("console", strings.TrimRight(rep.Detail, "\n")+"\n")
	}
}
