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
)

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
