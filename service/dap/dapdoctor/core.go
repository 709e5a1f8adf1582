package dapdoctor

import (
	"context"
	"fmt"
	"strings"

	"github.com/dlvx/dlvx/corecheck"
	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/service/dap"
)

// ExamineCore runs the core doctor on a "mode": "core" launch: its
// findings are shown as the other doctors' are, and the first error is the
// cause to add to Delve's launch error.
func (d *Doctor) ExamineCore(ctx context.Context, exe, core string) (dap.CoreReport, error) {
	in := &corecheck.Input{CorePath: core, ExePath: exe}
	defer in.Close()
	rep, err := corecheck.Doctor(in, corecheck.CoreChecks, corecheck.Options{BinaryChecks: dwarfcheck.BinaryChecks})
	if err != nil {
		return dap.CoreReport{}, fmt.Errorf("run the core checks: %w", err)
	}
	out, err := consoleReport(rep)
	if err != nil {
		return dap.CoreReport{}, err
	}
	cr := dap.CoreReport{Report: out}
	for _, f := range rep.Findings {
		if f.Severity >= finding.SevError {
			cr.Cause = causeLine(f)
			break
		}
	}
	return cr, nil
}

// causeLine puts a finding on one line for an error message: ID, title,
// facts and the first fix.
func causeLine(f finding.Finding) string {
	var facts []string
	for _, e := range f.Evidence {
		facts = append(facts, e.Fact)
	}
	msg := f.ID + ": " + f.Title
	if len(facts) > 0 {
		msg += ": " + strings.Join(facts, "; ")
	}
	if len(f.Fixes) > 0 {
		msg += "; fix: " + f.Fixes[0].Summary
		if len(f.Fixes[0].Command) > 0 {
			msg += ": " + f.Fixes[0].CommandLine()
		}
	}
	return msg
}
