package corecheck

import (
	"debug/elf"
	"errors"
	"fmt"
)

// Sentinel errors of the core reader. Callers test them with errors.Is.
var (
	// ErrEmpty means the file has no bytes: a dump that never started,
	// or a pipe handler that stored nothing.
	ErrEmpty = errors.New("empty file")
	// ErrNotELF means the file does not start with the ELF magic and is
	// no compressed format the reader knows.
	ErrNotELF = errors.New("not an ELF file")
	// ErrTruncated is wrapped by a FormatError whose structure runs past
	// the end of the file.
	ErrTruncated = errors.New("past the end of the file")
)

// A CompressedError reports a core stored compressed: Delve reads only
// plain ELF.
type CompressedError struct {
	Format string // "zstd", "lz4", "xz", "gzip", "bzip2"
}

func (e *CompressedError) Error() string { return "compressed with " + e.Format }

// A NotCoreError reports an ELF file that is not a core: an executable or
// a shared object passed where the core belongs.
type NotCoreError struct {
	Type elf.Type
}

func (e *NotCoreError) Error() string { return fmt.Sprintf("ELF file of type %v, not a core", e.Type) }

// A FormatError reports a malformed or cut structure at a file offset.
type FormatError struct {
	Off  int64  // where the structure starts in the file
	What string // "program header 3", "NT_FILE note"
	Err  error
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("%s at offset %#x: %v", e.What, e.Off, e.Err)
}

// Unwrap returns the underlying error.
func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(off int64, what string, err error) *FormatError {
	return &FormatError{Off: off, What: what, Err: err}
}
