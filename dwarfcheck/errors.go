package dwarfcheck

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers test them with errors.Is.
var (
	// ErrNoDWARF means the binary has no DWARF sections (and no separate
	// debug file was found).
	ErrNoDWARF = errors.New("no DWARF sections")
	// ErrNoBuildInfo means the binary carries no Go build information.
	ErrNoBuildInfo = errors.New("no Go build information")
	// ErrNotApplicable is returned by a check whose subject is absent (a
	// DWARF check on a binary without DWARF). The runner counts the check
	// as skipped, neither passed nor failed.
	ErrNotApplicable = errors.New("check not applicable")
	// ErrBadLocation means a --break argument is not a location the doctor
	// understands.
	ErrBadLocation = errors.New("bad breakpoint location")
)

// A CheckError reports a check that could not run: it is a failure of the
// doctor, never a finding about the binary.
type CheckError struct {
	Check string
	Err   error
}

func (e *CheckError) Error() string { return fmt.Sprintf("check %s: %v", e.Check, e.Err) }

// Unwrap returns the underlying error.
func (e *CheckError) Unwrap() error { return e.Err }

// A SectionError reports a malformed section at a file offset.
type SectionError struct {
	Section string // ".debug_info"
	Offset  int64
	Err     error
}

func (e *SectionError) Error() string {
	return fmt.Sprintf("%s at offset %#x: %v", e.Section, e.Offset, e.Err)
}

// Unwrap returns the underlying error.
func (e *SectionError) Unwrap() error { return e.Err }
