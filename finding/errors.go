package finding

import (
	"errors"
	"fmt"
)

// ErrNotApplicable is returned by a check whose subject is absent (a DWARF
// check on a binary without DWARF). The runner counts the check as
// skipped, neither passed nor failed.
var ErrNotApplicable = errors.New("check not applicable")

// A CheckError reports a check that could not run: it is a failure of the
// doctor, never a finding about its subject.
type CheckError struct {
	Check string
	Err   error
}

func (e *CheckError) Error() string { return fmt.Sprintf("check %s: %v", e.Check, e.Err) }

// Unwrap returns the underlying error.
func (e *CheckError) Unwrap() error { return e.Err }

// A PanicError is a panic recovered from a check or a doctor's question.
// The user sees it as a failed check (exit status 2); to a test it is a
// bug in dlvx: bad input must get a clear error, never a panic. Tests find
// it with errors.As through the CheckError.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the panicking goroutine's stack, from runtime/debug.Stack
}

func (p *PanicError) Error() string {
	if e, ok := p.Value.(error); ok {
		return "panic: " + e.Error()
	}
	return fmt.Sprintf("panic: %v", p.Value)
}

// Panics returns the recovered panics among errs, for tests that fail on
// them.
func Panics(errs []*CheckError) []*PanicError {
	var out []*PanicError
	for _, e := range errs {
		var pe *PanicError
		if errors.As(e, &pe) {
			out = append(out, pe)
		}
	}
	return out
}
