package dwarfcheck

import "debug/dwarf"

// A FuncTable is what the checks borrow from Delve's loader, which only
// package breakcheck may import: Delve's function table, its list of
// source files, and the DWARF it has already decompressed. An Input's
// Funcs is nil unless breakcheck installed one; then the checks that need
// it say less (BP-NODWARF instead of BP-NODWARF-BLIND).
type FuncTable interface {
	// FindMain loads the binary with Delve and reports whether its
	// function table names main.main, and how many functions it knows;
	// err when Delve cannot load the binary.
	FindMain() (found bool, functions int, err error)
	// Sources loads the binary with Delve and returns its source files,
	// sorted: from DWARF, or from the Go function table without it.
	Sources() ([]string, error)
	// FuncStartsIn reports whether a function whose name, without its
	// package and receiver, is in names has its entry line in file.
	FuncStartsIn(file string, names map[string]bool) bool
	// Loaded returns Delve's DWARF reader and source list when a load
	// started in the background holds DWARF, so that the checks reuse its
	// decompressed sections; ok is false otherwise and nothing is loaded.
	Loaded() (r EntryReader, sources []string, ok bool)
	// Close waits for a background load and releases what it opened.
	Close() error
}

// An EntryReader is what the checks need of a *dwarf.Reader; Delve's
// reader.Reader embeds one.
type EntryReader interface {
	Next() (*dwarf.Entry, error)
	SkipChildren()
}
