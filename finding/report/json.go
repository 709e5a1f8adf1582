package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/dlvx/dlvx/finding"
)

// SchemaVersion identifies the JSON layout; it changes only when a field
// changes meaning or disappears (adding fields keeps it).
// Version 2 dropped doc_url, a path into dlvx's source tree.
const SchemaVersion = "dlvx.doctor/v2"

// The wire types are separate from package finding's in-memory types so that
// refactoring never changes the schema.
type jsonReport struct {
	Schema         string             `json:"schema"`
	Binary         string             `json:"binary"`
	GoVersion      string             `json:"go_version,omitempty"`
	ExitCode       int                `json:"exit_code"`
	Findings       []jsonFinding      `json:"findings"`
	Breakpoints    []jsonBreak        `json:"breakpoints,omitempty"`
	SubstitutePath []finding.PathRule `json:"substitute_path,omitempty"`
	Errors         []jsonError        `json:"errors,omitempty"`
	Checks         jsonChecks         `json:"checks"`
}

type jsonFinding struct {
	ID          string         `json:"id"`
	Check       string         `json:"check"`
	Severity    string         `json:"severity"`
	Title       string         `json:"title"`
	Evidence    []jsonEvidence `json:"evidence"`
	Explanation string         `json:"explanation"`
	Fixes       []jsonFix      `json:"fixes,omitempty"`
}

type jsonEvidence struct {
	Source string  `json:"source"`
	Offset *string `json:"offset"` // "0x1c0"; null when the fact has no offset
	Fact   string  `json:"fact"`
}

type jsonFix struct {
	Summary string   `json:"summary"`
	Command []string `json:"command,omitempty"`
}

type jsonBreak struct {
	Location  string        `json:"location"`
	Kind      string        `json:"kind"`
	Binds     bool          `json:"binds"`
	Addresses []jsonAddress `json:"addresses,omitempty"`
	Findings  []jsonFinding `json:"findings,omitempty"`
}

type jsonAddress struct {
	PC       string `json:"pc"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Function string `json:"function"`
	Inlined  bool   `json:"inlined"`
}

type jsonError struct {
	Check string `json:"check"`
	Error string `json:"error"`
}

type jsonChecks struct {
	Passed  []string `json:"passed"`
	Skipped []string `json:"skipped"`
}

// JSON writes the report in the schema SchemaVersion, indented.
func JSON(w io.Writer, r *finding.Report) error {
	out := jsonReport{
		Schema:         SchemaVersion,
		Binary:         r.Binary,
		GoVersion:      r.GoVersion,
		ExitCode:       r.ExitCode(),
		Findings:       jsonFindings(r.Findings),
		SubstitutePath: r.PathRules,
		Checks:         jsonChecks{Passed: nonNil(r.Passed), Skipped: nonNil(r.Skipped)},
	}
	for _, b := range r.Breaks {
		jb := jsonBreak{Location: b.Location, Kind: b.Kind, Binds: b.Binds, Findings: jsonFindings(b.Findings)}
		for _, a := range b.Addrs {
			jb.Addresses = append(jb.Addresses, jsonAddress{PC: fmt.Sprintf("%#x", a.PC), File: a.File, Line: a.Line, Function: a.Function, Inlined: a.Inlined})
		}
		out.Breakpoints = append(out.Breakpoints, jb)
	}
	for _, e := range r.Errors {
		out.Errors = append(out.Errors, jsonError{Check: e.Check, Error: e.Err.Error()})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func jsonFindings(fs []finding.Finding) []jsonFinding {
	out := make([]jsonFinding, 0, len(fs))
	for _, f := range fs {
		jf := jsonFinding{ID: f.ID, Check: f.Check, Severity: f.Severity.String(), Title: f.Title,
			Explanation: f.Explanation, Evidence: []jsonEvidence{}}
		for _, e := range f.Evidence {
			je := jsonEvidence{Source: e.Source, Fact: e.Fact}
			if e.Offset >= 0 {
				s := fmt.Sprintf("%#x", e.Offset)
				je.Offset = &s
			}
			jf.Evidence = append(jf.Evidence, je)
		}
		for _, fx := range f.Fixes {
			jf.Fixes = append(jf.Fixes, jsonFix{Summary: fx.Summary, Command: fx.Command})
		}
		out = append(out, jf)
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
