package finding

import (
	"fmt"
	"strings"
)

// Severity says how much a finding matters. Severity is data on the
// finding, never a property of the check that produced it.
type Severity int

// Severities, in increasing order.
const (
	SevInfo  Severity = iota + 1 // context; shown with -v
	SevWarn                      // debugging works but is degraded
	SevError                     // breakpoints or variables will fail
)

// String returns the lowercase name used in text and JSON output.
func (s Severity) String() string {
	switch s {
	case SevInfo:
		return "info"
	case SevWarn:
		return "warning"
	case SevError:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity is the inverse of Severity.String.
func ParseSeverity(s string) (Severity, error) {
	for _, v := range []Severity{SevInfo, SevWarn, SevError} {
		if v.String() == s {
			return v, nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q", s)
}

// A Finding is one piece of advice: what was found, the facts it rests on,
// why it matters and how to fix it. The doctor, breakpoint verdicts and the
// attach preflight all produce Findings.
type Finding struct {
	ID          string     // stable, never reused: "BP-NODWARF"
	Check       string     // producing check: "dwarf-present"
	Severity    Severity   // defaults to the catalog's severity for ID
	Title       string     // one line, lowercase, no period
	Evidence    []Evidence // facts, each with where it was read
	Explanation string     // why this breaks debugging, in user terms
	Fixes       []Fix      // alternatives; the user applies at most one
}

// Evidence is one fact a finding rests on.
type Evidence struct {
	Source string // "elf:section-headers", "buildinfo", "dwarf:cu main"
	Offset int64  // file offset, or -1 when the fact has no single offset
	Fact   string // "no .debug_info or .zdebug_info section"
}

// A Fix is one way to make a finding go away. Summary and Command are
// phrased for the command line; a fix that reads differently for the user
// of an editor's debug session (a DAP client) carries that form too, and
// the editor's renderers choose it (ForEditor).
type Fix struct {
	Summary string   // verb phrase: "rebuild without -ldflags=-w"
	Command []string // copy-pastable argv; may be empty
	// Editor is the fix as an editor's user applies it: the launch.json
	// key and value to set, the line to move the breakpoint to. Empty
	// when Summary and Command read the same there.
	Editor string
	// CLIOnly marks a fix only dlvx's command line can apply (a flag, a
	// terminal command) that has no editor form: editors leave it out.
	CLIOnly bool
}

// ForEditor returns the fix as an editor's renderer shows it, and false
// when the fix has no editor form.
func (f Fix) ForEditor() (Fix, bool) {
	switch {
	case f.Editor != "":
		return Fix{Summary: f.Editor}, true
	case f.CLIOnly:
		return Fix{}, false
	}
	return f, true
}

// CommandLine returns the fix's command as one shell-quoted line.
func (f Fix) CommandLine() string {
	parts := make([]string, len(f.Command))
	for i, a := range f.Command {
		parts[i] = shellQuote(a)
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,@+%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ListSome joins up to n items for an evidence fact and says how many
// were left out.
func ListSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

// Evidencef builds an Evidence without a file offset.
func Evidencef(source, format string, args ...any) Evidence {
	return Evidence{Source: source, Offset: -1, Fact: fmt.Sprintf(format, args...)}
}

// EvidenceAt builds an Evidence read at a file offset.
func EvidenceAt(source string, off int64, format string, args ...any) Evidence {
	return Evidence{Source: source, Offset: off, Fact: fmt.Sprintf(format, args...)}
}

// New returns a Finding for a catalog ID filled from the catalog: severity,
// title and explanation. Checks add evidence and fixes.
func New(id string, ev ...Evidence) Finding {
	e, ok := catalog[id]
	if !ok {
		// A programming error in the producing package: every ID a
		// check produces has a catalog entry (TestCatalogEntries).
		e = entry{Severity: SevError, Title: "unknown finding " + id}
	}
	return Finding{
		ID:          id,
		Severity:    e.Severity,
		Title:       e.Title,
		Evidence:    ev,
		Explanation: e.Why,
	}
}
