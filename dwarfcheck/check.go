package dwarfcheck

import (
	"errors"
	"fmt"
	"regexp"
)

// A Check reads part of an Input and returns findings. A check that cannot
// run returns an error; that is reported as a CheckError, separately from
// findings, and the checks that require it are skipped.
type Check struct {
	Name     string   // kebab-case, used by --only and --skip
	Doc      string   // title line, blank line, explanation
	Requires []*Check // checks that must run successfully first
	Run      func(*Input) ([]Finding, error)
}

// A Result is the outcome of running checks on one input.
type Result struct {
	Findings []Finding     // in check order, then as each check produced them
	Errors   []*CheckError // checks that failed to run
	Passed   []string      // checks that ran and found nothing
	Skipped  []string      // checks not applicable, or whose requirements failed
}

// MaxSeverity returns the highest severity among the findings, or 0.
func (r *Result) MaxSeverity() Severity {
	var max Severity
	for _, f := range r.Findings {
		if f.Severity > max {
			max = f.Severity
		}
	}
	return max
}

var checkName = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// Validate reports an error if check names are malformed or repeated, a
// requirement is missing from checks or comes after its dependent, or the
// dependencies form a cycle.
func Validate(checks []*Check) error {
	pos := make(map[*Check]int, len(checks))
	names := make(map[string]bool, len(checks))
	for i, c := range checks {
		if !checkName.MatchString(c.Name) {
			return fmt.Errorf("check name %q is not kebab-case", c.Name)
		}
		if names[c.Name] {
			return fmt.Errorf("check %q registered twice", c.Name)
		}
		if c.Run == nil {
			return fmt.Errorf("check %q has no Run function", c.Name)
		}
		names[c.Name] = true
		pos[c] = i
	}
	for i, c := range checks {
		for _, r := range c.Requires {
			j, ok := pos[r]
			if !ok {
				return fmt.Errorf("check %q requires %q, which is not registered", c.Name, r.Name)
			}
			if j >= i {
				return fmt.Errorf("check %q requires %q, which does not run before it (cycle or order)", c.Name, r.Name)
			}
		}
	}
	return nil
}

// Run validates checks, then runs them in order on in. A check whose
// requirement failed or was skipped is skipped. A panic in a check is
// recovered and reported as that check's error.
func Run(in *Input, checks []*Check) (*Result, error) {
	if err := Validate(checks); err != nil {
		return nil, err
	}
	res := &Result{}
	ok := make(map[*Check]bool, len(checks))
	for _, c := range checks {
		if !requirementsMet(c, ok) {
			res.Skipped = append(res.Skipped, c.Name)
			continue
		}
		fs, err := runOne(c, in)
		switch {
		case errors.Is(err, ErrNotApplicable):
			// A check may explain why its subject is absent (not a Go
			// binary); its dependents are skipped all the same.
			res.Skipped = append(res.Skipped, c.Name)
			res.Findings = append(res.Findings, stamp(fs, c.Name, in)...)
			continue
		case err != nil:
			res.Errors = append(res.Errors, &CheckError{Check: c.Name, Err: err})
			continue
		}
		ok[c] = true
		if len(fs) == 0 {
			res.Passed = append(res.Passed, c.Name)
		}
		res.Findings = append(res.Findings, stamp(fs, c.Name, in)...)
	}
	return res, nil
}

// stamp records the producing check on findings and applies the
// severity policy.
func stamp(fs []Finding, check string, in *Input) []Finding {
	for i := range fs {
		fs[i].Check = check
		if override, has := in.SeverityOverride[fs[i].ID]; has {
			fs[i].Severity = override
		}
	}
	return fs
}

func requirementsMet(c *Check, ok map[*Check]bool) bool {
	for _, r := range c.Requires {
		if !ok[r] {
			return false
		}
	}
	return true
}

func runOne(c *Check, in *Input) (fs []Finding, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return c.Run(in)
}
