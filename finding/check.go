package finding

import (
	"errors"
	"fmt"
	"regexp"
	"runtime/debug"
	"slices"
)

// A Check reads part of an input and returns findings. In is what the
// checks of one doctor read: *dwarfcheck.Input for the binary and attach
// doctors, another type for a doctor whose subject is not a binary. A
// check that cannot run returns an error; that is reported as a
// CheckError, separately from findings, and the checks that require it are
// skipped.
type Check[In any] struct {
	Name     string       // kebab-case, used by --only and --skip
	Doc      string       // title line, blank line, explanation
	Requires []*Check[In] // checks that must run successfully first
	Run      func(In) ([]Finding, error)
}

// Options are the policy Run applies to what checks return.
type Options struct {
	// Severity replaces the severity of findings by ID (--severity).
	Severity map[string]Severity
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
func Validate[In any](checks []*Check[In]) error {
	pos := make(map[*Check[In]]int, len(checks))
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
// recovered and reported as that check's error, a *PanicError: the user
// sees a failed check, tests see a bug.
func Run[In any](in In, checks []*Check[In], opt Options) (*Result, error) {
	if err := Validate(checks); err != nil {
		return nil, err
	}
	res := &Result{}
	ok := make(map[*Check[In]]bool, len(checks))
	for _, c := range checks {
		if !requirementsMet(c, ok) {
			res.Skipped = append(res.Skipped, c.Name)
			continue
		}
		fs, err := Guard(func() ([]Finding, error) { return c.Run(in) })
		switch {
		case errors.Is(err, ErrNotApplicable):
			// A check may explain why its subject is absent (not a Go
			// binary); its dependents are skipped all the same.
			res.Skipped = append(res.Skipped, c.Name)
			res.Findings = append(res.Findings, opt.stamp(fs, c.Name)...)
			continue
		case err != nil:
			res.Errors = append(res.Errors, &CheckError{Check: c.Name, Err: err})
			continue
		}
		ok[c] = true
		if len(fs) == 0 {
			res.Passed = append(res.Passed, c.Name)
		}
		res.Findings = append(res.Findings, opt.stamp(fs, c.Name)...)
	}
	return res, nil
}

// stamp records the producing check on findings and applies the severity
// policy.
func (opt Options) stamp(fs []Finding, check string) []Finding {
	for i := range fs {
		fs[i].Check = check
		if override, has := opt.Severity[fs[i].ID]; has {
			fs[i].Severity = override
		}
	}
	return fs
}

func requirementsMet[In any](c *Check[In], ok map[*Check[In]]bool) bool {
	for _, r := range c.Requires {
		if !ok[r] {
			return false
		}
	}
	return true
}

// Guard calls f and turns a panic in it into a *PanicError carrying the
// panic's value and stack.
func Guard[T any](f func() (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	return f()
}

// Select returns the checks in all whose names are in only (all when only
// is empty) and not in skip, keeping the checks they require.
func Select[In any](all []*Check[In], only, skip []string) []*Check[In] {
	keep := map[*Check[In]]bool{}
	var mark func(c *Check[In])
	mark = func(c *Check[In]) {
		if keep[c] {
			return
		}
		keep[c] = true
		for _, r := range c.Requires {
			mark(r)
		}
	}
	for _, c := range all {
		if (len(only) == 0 || slices.Contains(only, c.Name)) && !slices.Contains(skip, c.Name) {
			mark(c)
		}
	}
	var out []*Check[In]
	for _, c := range all {
		if keep[c] {
			out = append(out, c)
		}
	}
	return out
}
