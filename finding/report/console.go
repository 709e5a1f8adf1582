package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/dlvx/dlvx/finding"
)

// Findings writes findings as the blocks of the text report (found,
// evidence, why, fix, docs), without its heading and summary: for advice
// that is not a doctor's report, such as the resolver's notices.
func Findings(w io.Writer, fs []finding.Finding, opt TextOptions) error {
	if opt.Width == 0 {
		opt.Width = 100
	}
	tw := &textWriter{w: w, opt: opt, explained: map[string]bool{}}
	for _, f := range fs {
		tw.finding(f, "")
	}
	return tw.err
}

// A Console is advice as an editor's debug session shows it (fixes in
// their editor form, TextOptions.Editor): a line per
// finding that needs attention, for a notification, and the full text for
// the debug console.
type Console struct {
	// Important holds one line per finding of warning or error severity
	// and per check that could not run. No trailing newline.
	Important []string
	// Detail is the full text: evidence, explanation, fixes. Empty when
	// there is nothing to say.
	Detail string
}

// ConsoleReport renders a doctor's report: its warnings, errors and
// failed checks as important lines led by "dlvx doctor", and the text
// report as the detail. A report with neither says nothing, the way the
// text report hides info-level findings.
func ConsoleReport(rep *finding.Report) (Console, error) {
	var c Console
	for _, f := range rep.Findings {
		if f.Severity >= finding.SevWarn {
			c.Important = append(c.Important, importantLine("dlvx doctor", f))
		}
	}
	for _, e := range rep.Errors {
		c.Important = append(c.Important, fmt.Sprintf("dlvx doctor: check %s could not run: %v", e.Check, e.Err))
	}
	if len(c.Important) == 0 {
		return c, nil
	}
	var b strings.Builder
	if err := Text(&b, rep, TextOptions{Editor: true}); err != nil {
		return Console{}, fmt.Errorf("render doctor report: %w", err)
	}
	c.Detail = b.String()
	return c, nil
}

// ConsoleFindings renders findings that answer what the user just did
// (the resolver's notices about a breakpoint being set): important lines
// led by who for warnings and errors, and every finding, info included,
// in the detail.
func ConsoleFindings(who string, fs []finding.Finding) (Console, error) {
	var c Console
	for _, f := range fs {
		if f.Severity >= finding.SevWarn {
			c.Important = append(c.Important, importantLine(who, f))
		}
	}
	var b strings.Builder
	if err := Findings(&b, fs, TextOptions{Verbose: true, Editor: true}); err != nil {
		return Console{}, fmt.Errorf("render findings: %w", err)
	}
	c.Detail = b.String()
	return c, nil
}

// importantLine is the one-line form of a finding in a notification.
// VS Code prints it in the Debug Console too, above the detail, so it
// does not point there.
func importantLine(who string, f finding.Finding) string {
	return fmt.Sprintf("%s: %s %s: %s", who, f.ID, f.Severity, f.Title)
}
