package dwarfcheck

import "fmt"

// A Report is everything the doctor found about one binary.
type Report struct {
	Binary    string
	GoVersion string         // from the build information, or ""
	Result                   // findings of the registered checks
	Breaks    []BreakVerdict // answers to --break, in order
	PathRules []PathRule     // substitutePath rules derived from --source
}

// Exit codes of `dlvx doctor`.
const (
	ExitClean    = 0 // no error-level finding and every --break binds
	ExitFindings = 1 // an error-level finding, or a --break that will not bind
	ExitFailed   = 2 // the doctor itself failed: a check could not run
)

// Doctor runs checks on in, then answers the --source and --break
// questions, which load Delve's BinaryInfo only when asked.
func Doctor(in *Input, checks []*Check) (*Report, error) {
	if len(in.Breaks) > 0 {
		in.PrefetchDelve()
	}
	res, err := Run(in, checks)
	if err != nil {
		return nil, err
	}
	rep := &Report{Binary: in.Path, Result: *res}
	if bi, err := in.BuildInfo(); err == nil {
		rep.GoVersion = bi.GoVersion
	}
	if in.Source != "" {
		src, err := runQuestion("source", func() (*SourceReport, error) { return Source(in) })
		if err != nil {
			rep.Errors = append(rep.Errors, err)
		} else {
			for i := range src.Findings {
				src.Findings[i].Check = "source"
			}
			rep.Findings = append(rep.Findings, src.Findings...)
			rep.PathRules = src.Rules
		}
	}
	if len(in.Breaks) > 0 {
		v, err := runQuestion("break", func() ([]BreakVerdict, error) { return Breaks(in, rep.PathRules) })
		if err != nil {
			rep.Errors = append(rep.Errors, err)
		}
		rep.Breaks = v
		versionCaveat(rep)
	}
	return rep, nil
}

// versionCaveat adds the Go-version finding to every binding breakpoint:
// Delve refuses such a binary at launch unless --check-go-version=false,
// so "binds" holds only with that flag.
func versionCaveat(rep *Report) {
	for _, f := range rep.Findings {
		if f.ID != "ENV-VERSION-OLD" && f.ID != "ENV-VERSION-NEW" {
			continue
		}
		for i := range rep.Breaks {
			if !rep.Breaks[i].Binds {
				continue
			}
			c := f
			c.Check = "break"
			c.Evidence = append([]Evidence{ev("dlvx", "binds only with --check-go-version=false: dlvx exec refuses this binary otherwise")}, f.Evidence...)
			rep.Breaks[i].Findings = append(rep.Breaks[i].Findings, c)
		}
	}
}

// runQuestion runs f, turning an error or a panic into a CheckError.
func runQuestion[T any](name string, f func() (T, error)) (v T, cerr *CheckError) {
	defer func() {
		if p := recover(); p != nil {
			cerr = &CheckError{Check: name, Err: panicError{p}}
		}
	}()
	v, err := f()
	if err != nil {
		return v, &CheckError{Check: name, Err: err}
	}
	return v, nil
}

type panicError struct{ v any }

func (p panicError) Error() string { return "panic: " + stringify(p.v) }

func stringify(v any) string {
	if e, ok := v.(error); ok {
		return e.Error()
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// ExitCode returns the documented exit status for a report.
func (r *Report) ExitCode() int {
	if len(r.Errors) > 0 {
		return ExitFailed
	}
	if r.MaxSeverity() >= SevError {
		return ExitFindings
	}
	for _, b := range r.Breaks {
		if !b.Binds {
			return ExitFindings
		}
		for _, f := range b.Findings {
			if f.Severity >= SevError {
				return ExitFindings
			}
		}
	}
	return ExitClean
}

// Count returns the number of findings per severity, breakpoint findings
// included.
func (r *Report) Count() map[Severity]int {
	n := map[Severity]int{}
	for _, f := range r.Findings {
		n[f.Severity]++
	}
	for _, b := range r.Breaks {
		for _, f := range b.Findings {
			n[f.Severity]++
		}
	}
	return n
}
