package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/dlvx/dlvx/finding"
)

// TextOptions tune the human-readable output.
type TextOptions struct {
	Verbose bool // show info-level findings and skipped checks
	Width   int  // wrap explanations at this column; 0 means 100
	// Editor renders for the user of an editor's debug session: each fix
	// in its editor form (finding.Fix.ForEditor), the catalog entry as
	// `dlvx doctor --explain ID`, no command-line flags.
	Editor bool
}

var marks = map[finding.Severity]string{
	finding.SevError: "[✗]",
	finding.SevWarn:  "[!]",
	finding.SevInfo:  "[i]",
}

// Text writes the report as found / evidence / why / fix blocks followed
// by breakpoint verdicts and a summary line.
func Text(w io.Writer, r *finding.Report, opt TextOptions) error {
	if opt.Width == 0 {
		opt.Width = 100
	}
	tw := &textWriter{w: w, opt: opt, explained: map[string]bool{}}
	head := r.Binary
	if r.GoVersion != "" {
		head += " (" + r.GoVersion + ")"
	}
	tw.printf("dlvx doctor %s\n", head)
	for _, f := range r.Findings {
		tw.finding(f, "")
	}
	for _, ce := range r.Errors {
		tw.printf("[?] check %s failed to run: %v\n", ce.Check, ce.Err)
	}
	if len(r.PathRules) > 0 {
		tw.printf("substitutePath (from = editor, to = binary):\n")
		for _, pr := range r.PathRules {
			tw.printf("    {\"from\": %q, \"to\": %q}\n", pr.From, pr.To)
		}
	}
	for _, b := range r.Breaks {
		tw.verdict(b)
	}
	tw.summary(r)
	return tw.err
}

type textWriter struct {
	w         io.Writer
	opt       TextOptions
	err       error
	explained map[string]bool // IDs whose why and more were printed
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

func (t *textWriter) finding(f finding.Finding, indent string) {
	if f.Severity == finding.SevInfo && !t.opt.Verbose {
		return
	}
	t.printf("%s%s %s %s: %s\n", indent, marks[f.Severity], f.ID, f.Severity, f.Title)
	in := indent + "    "
	for _, e := range f.Evidence {
		where := e.Source
		if e.Offset >= 0 {
			where += fmt.Sprintf("@%#x", e.Offset)
		}
		t.printf("%sevidence: %s  %s\n", in, where, e.Fact)
	}
	repeat := t.explained[f.ID] // why and more are printed once per ID
	if repeat {
		t.printf("%swhy: see %s above\n", in, f.ID)
	} else {
		t.wrapped(in, "why: ", f.Explanation)
	}
	t.explained[f.ID] = true
	for _, fx := range fixesFor(f.Fixes, t.opt.Editor) { // fixes are specific to each occurrence
		t.printf("%sfix: %s\n", in, fx.Summary)
		if len(fx.Command) > 0 {
			t.printf("%s     $ %s\n", in, fx.CommandLine())
		}
	}
	if !repeat {
		t.printf("%smore: %s\n", in, finding.ExplainCommand(f.ID))
	}
}

// wrapped prints text after label, wrapped at the configured width.
func (t *textWriter) wrapped(indent, label, text string) {
	line := indent + label
	pad := strings.Repeat(" ", len(indent)+len(label))
	start := len(line)
	for _, word := range strings.Fields(text) {
		if len(line) > start && len(line)+1+len(word) > t.opt.Width {
			t.printf("%s\n", line)
			line, start = pad, len(pad)
		}
		if len(line) > start {
			line += " "
		}
		line += word
	}
	t.printf("%s\n", line)
}

func (t *textWriter) verdict(b finding.BreakVerdict) {
	if b.Binds {
		t.printf("break %s: binds at %d %s\n", b.Location, len(b.Addrs), plural(len(b.Addrs), "address", "addresses"))
	} else {
		t.printf("break %s: will not bind\n", b.Location)
	}
	for _, a := range b.Addrs {
		inl := ""
		if a.Inlined {
			inl = " (inlined)"
		}
		t.printf("    %#x %s:%d in %s%s\n", a.PC, a.File, a.Line, a.Function, inl)
	}
	for _, f := range b.Findings {
		t.finding(f, "    ")
	}
}

func (t *textWriter) summary(r *finding.Report) {
	n := r.Count()
	s := fmt.Sprintf("%d %s, %d %s", n[finding.SevError], plural(n[finding.SevError], "error", "errors"),
		n[finding.SevWarn], plural(n[finding.SevWarn], "warning", "warnings"))
	if n[finding.SevInfo] > 0 {
		s += fmt.Sprintf(", %d info", n[finding.SevInfo])
		if !t.opt.Verbose && !t.opt.Editor {
			s += " (-v shows)"
		}
	}
	s += fmt.Sprintf(" (%d %s passed", len(r.Passed), plural(len(r.Passed), "check", "checks"))
	if len(r.Errors) > 0 {
		s += fmt.Sprintf(", %d failed to run", len(r.Errors))
	}
	if t.opt.Verbose && len(r.Skipped) > 0 {
		s += ", skipped: " + strings.Join(r.Skipped, " ")
	}
	t.printf("%s)\n", s)
}

// fixesFor returns fixes as the reader applies them: in an editor, each
// in its editor form, without those only the command line has.
func fixesFor(fixes []finding.Fix, editor bool) []finding.Fix {
	if !editor {
		return fixes
	}
	out := make([]finding.Fix, 0, len(fixes))
	for _, fx := range fixes {
		if e, ok := fx.ForEditor(); ok {
			out = append(out, e)
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
