package attachcheck

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dlvx/dlvx/breakcheck"
	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
)

// Options select what Diagnose runs beyond the attach checks.
type Options struct {
	// Exe is the executable the user named (dlvx attach PID EXE); empty
	// means the process's own, read through /proc/PID/exe.
	Exe string
	// BinaryChecks run on the executable when the process is alive, its
	// executable readable and a Go program; nil runs none.
	BinaryChecks []*dwarfcheck.Check
	// Only and Skip filter the attach checks by name, as --only/--skip.
	Only, Skip []string
	// DebugInfoDirs are searched for separate debug files; nil means
	// dwarfcheck.DefaultDebugInfoDirs.
	DebugInfoDirs []string
	// SeverityOverride replaces the severity of findings by ID.
	SeverityOverride map[string]finding.Severity
}

// Diagnose takes a Snapshot of pid and runs the attach checks, then the
// binary checks on its executable. The report's Binary names the
// executable as the process was started, " (deleted)" included.
func Diagnose(env *Env, pid int, opt Options) (*finding.Report, *Snapshot, error) {
	s, err := Take(env, pid)
	if err != nil {
		return nil, nil, err
	}
	path := opt.Exe
	if path == "" && s.Exists() {
		path = s.ExePath()
	}
	in := breakcheck.NewInput(path)
	defer in.Close()
	in.HostGOARCH = env.GOARCH
	policy := finding.Options{Severity: opt.SeverityOverride}
	if opt.DebugInfoDirs != nil {
		in.DebugInfoDirs = opt.DebugInfoDirs
	} else if s.Exists() && !s.sameMountNS() {
		in.DebugInfoDirs = s.rootedDirs(in.DebugInfoDirs)
	}
	in.GitHead = nil // no workspace: the stale-binary check has nothing to compare
	res, err := finding.Run(in, finding.Select(Checks(s), opt.Only, opt.Skip), policy)
	if err != nil {
		return nil, nil, err
	}
	rep := &finding.Report{Binary: s.Exe, Result: *res}
	if opt.Exe != "" || rep.Binary == "" {
		rep.Binary = path
	}
	if rep.Binary == "" {
		rep.Binary = fmt.Sprintf("pid %d", pid) // gone: the report still names what it is about
	}
	if !s.binaryCheckable(res) || len(opt.BinaryChecks) == 0 {
		return rep, s, nil
	}
	bres, err := finding.Run(in, opt.BinaryChecks, policy)
	if err != nil {
		return nil, nil, err
	}
	rep.Findings = append(rep.Findings, bres.Findings...)
	rep.Errors = append(rep.Errors, bres.Errors...)
	rep.Passed = append(rep.Passed, bres.Passed...)
	rep.Skipped = append(rep.Skipped, bres.Skipped...)
	if bi, err := in.BuildInfo(); err == nil {
		rep.GoVersion = bi.GoVersion
	}
	return rep, s, nil
}

// binaryCheckable reports whether the binary doctor has something to read:
// a live process whose executable is a readable Go program.
func (s *Snapshot) binaryCheckable(res *finding.Result) bool {
	if !s.alive() {
		return false
	}
	for _, f := range res.Findings {
		switch f.ID {
		case "AT-NOTGO", "ENV-ARCH-EMULATED", "AT-PIDNS-GORUN":
			return false
		}
	}
	for _, name := range res.Passed {
		if name == "go-program" {
			return true
		}
	}
	return false
}

// First returns the first finding of at least severity min whose ID has
// one of the prefixes, in report order (which is causal order), or nil.
func First(rep *finding.Report, min finding.Severity, prefixes ...string) *finding.Finding {
	for i, f := range rep.Findings {
		if f.Severity < min {
			continue
		}
		for _, p := range prefixes {
			if strings.HasPrefix(f.ID, p) {
				return &rep.Findings[i]
			}
		}
	}
	return nil
}

// A CauseError is an attach failure with the cause the preflight
// diagnosed. Err is the error the attach returned (a syscall.Errno for a
// refused ptrace), so errors.Is(err, syscall.EPERM) still works.
type CauseError struct {
	PID   int
	Cause finding.Finding
	Err   error
}

// Error puts the attach's own error first, so that it never reads as the
// result of the fix command that ends the message.
func (e *CauseError) Error() string {
	msg := fmt.Sprintf("could not attach to pid %d: %v: %s (%s", e.PID, e.Err, e.Cause.Title, e.Cause.ID)
	if len(e.Cause.Evidence) > 0 {
		var facts []string
		for _, ev := range e.Cause.Evidence {
			facts = append(facts, ev.Fact)
		}
		msg += ": " + strings.Join(facts, "; ")
	}
	msg += ")"
	if len(e.Cause.Fixes) > 0 {
		fx := e.Cause.Fixes[0]
		msg += "; fix: " + fx.Summary
		if len(fx.Command) > 0 {
			msg += ": " + fx.CommandLine()
		}
	}
	return msg
}

// Unwrap returns the attach's own error.
func (e *CauseError) Unwrap() error { return e.Err }

// ExplainAttachError diagnoses pid again after an attach failed with err
// and returns a *CauseError naming the first error-level attach cause, or
// nil when the preflight finds none (then the caller keeps its message).
func ExplainAttachError(env *Env, pid int, err error) error {
	if err == nil {
		return nil
	}
	rep, _, derr := Diagnose(env, pid, Options{})
	if derr != nil {
		return nil
	}
	f := First(rep, finding.SevError, "AT-", "ENV-")
	if f == nil {
		return nil
	}
	var ce *CauseError
	if errors.As(err, &ce) {
		return nil
	}
	return &CauseError{PID: pid, Cause: *f, Err: err}
}
