package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/dlvx/dlvx/finding"
)

// Verdict renders the findings of a breakpoint that will not bind for the
// message of an unverified breakpoint (a hover in the editor): per
// finding "dlvx: ID: title", its facts, and the fixes to copy in their
// editor form. No trailing newline.
func Verdict(fs []finding.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "dlvx: %s: %s\n", f.ID, f.Title)
		for _, e := range f.Evidence {
			fmt.Fprintf(&b, "  %s\n", e.Fact)
		}
		for _, fx := range fixesFor(f.Fixes, true) {
			fmt.Fprintf(&b, "  fix: %s\n", fixText(fx))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// Brief writes one finding compactly, for the lines a command prints
// before it goes on (the attach preflight): lead, severity, ID and title,
// then where each fact was read, the fixes and how to read more.
func Brief(w io.Writer, lead string, f finding.Finding) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s: %s\n", lead, f.Severity, f.ID, f.Title)
	for _, e := range f.Evidence {
		fmt.Fprintf(&b, "    %s: %s\n", e.Source, e.Fact)
	}
	for _, fx := range f.Fixes {
		fmt.Fprintf(&b, "    fix: %s\n", fixText(fx))
	}
	fmt.Fprintf(&b, "    more: %s\n", finding.ExplainCommand(f.ID))
	_, err := io.WriteString(w, b.String())
	return err
}

// fixText is a fix on one line: its summary, and its command after a
// colon when it has one.
func fixText(fx finding.Fix) string {
	if len(fx.Command) == 0 {
		return fx.Summary
	}
	return fx.Summary + ": " + fx.CommandLine()
}

// Explain writes the catalog entry of a finding ID, as dlvx doctor
// --explain prints it. IDs are case-insensitive; an unknown one is an
// error that lists the known IDs.
func Explain(w io.Writer, id string) error {
	up := strings.ToUpper(id)
	title, sev, why, ok := finding.Explain(up)
	if !ok {
		return fmt.Errorf("unknown finding ID %q; known: %s", id, strings.Join(finding.IDs(), " "))
	}
	_, err := fmt.Fprintf(w, "%s (%s): %s\n\n%s\n", up, sev, title, why)
	return err
}
