package finding

// A Report is everything a doctor found about one binary or process: the
// findings of its checks, then the answers to the questions it was asked
// (--break verdicts, --source rules). The renderers of package
// finding/report format it.
type Report struct {
	Binary    string
	GoVersion string         // from the build information, or ""
	Result                   // findings of the registered checks
	Breaks    []BreakVerdict // answers to --break, in order
	PathRules []PathRule     // substitutePath rules derived from --source
}

// A BreakVerdict answers "will this breakpoint bind, and where?" for one
// --break location. Package breakcheck computes it with Delve's own
// location functions.
type BreakVerdict struct {
	Location string      // as given: "main.go:17", "main.work"
	Kind     string      // "line" or "function"
	Binds    bool        // Delve will set it at len(Addrs) addresses
	Addrs    []BreakAddr // where it binds, by address
	Findings []Finding   // why it does not bind, or caveats when it does
}

// A BreakAddr is one address a breakpoint binds at.
type BreakAddr struct {
	PC       uint64 // link-time address
	File     string // as recorded in the binary
	Line     int
	Function string // the concrete function containing PC
	Inlined  bool   // PC is in a copy inlined into Function
}

// A PathRule maps an editor path prefix to the prefix the binary records,
// in DAP orientation: From is the editor's (local) path, To the binary's.
// Delve's CLI `config substitute-path` takes them the other way round.
// It is defined here because a Report carries it; package srcpath, which
// applies and infers rules, names it srcpath.PathRule, and that is the
// name other packages use.
type PathRule struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Exit codes of `dlvx doctor`.
const (
	ExitClean    = 0 // no error-level finding and every --break binds
	ExitFindings = 1 // an error-level finding, or a --break that will not bind
	ExitFailed   = 2 // the doctor itself failed: a check could not run
)

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
