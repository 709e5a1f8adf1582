package dwarfcheck

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/dlvx/dlvx/finding"
	"github.com/go-delve/delve/pkg/goversion"
)

// ExecutableType tells executables from the other ELF files people hand a
// debugger: object files, shared libraries' cousins and core dumps. None
// of the other checks means anything for them.
var ExecutableType = &Check{
	Name:     "elf-type",
	Doc:      "report ELF files that are not executables\n\nReads e_type: an object file (ET_REL) must be linked first, a core dump (ET_CORE) has its own doctor.",
	Requires: []*Check{ELFHeaders},
	Run:      executableType,
}

func executableType(in *Input) ([]finding.Finding, error) {
	f, _ := in.ELF()
	var fix finding.Fix
	switch f.Type {
	case elf.ET_EXEC, elf.ET_DYN:
		return nil, nil
	case elf.ET_REL:
		fix = finding.Fix{Summary: "it is an object file: build the program it belongs to and debug that",
			Command: finding.RebuildFix("", finding.Build{Out: "app-debug"}).Command}
	case elf.ET_CORE:
		fix = finding.Fix{Summary: "it is a core dump: ask the core doctor, then open it with its executable",
			Command: []string{"dlvx", "doctor", "--core", in.Path}}
	default:
		fix = finding.Fix{Summary: "debug the program's executable instead"}
	}
	fd := finding.New("BP-NOTEXEC", finding.Evidencef("elf:header", "e_type %v (%#x)", f.Type, uint16(f.Type)))
	fd.Fixes = []finding.Fix{fix}
	return []finding.Finding{fd}, finding.ErrNotApplicable
}

// FunctionTable verifies the Go function table (.gopclntab) the way the
// runtime does before main runs (its header, and that function entries
// are sorted) and also that every function's name is readable: the table
// names functions for Delve when DWARF is gone, and for panics always.
var FunctionTable = &Check{
	Name:     "gopclntab",
	Doc:      "verify the Go function table\n\nChecks .gopclntab's header, its sorted function entries and the function names it holds: a file damaged after linking fails here although its DWARF is intact.",
	Requires: []*Check{GoBinary},
	Run:      functionTable,
}

// pclntab magics: Go 1.18–1.19 and Go 1.20 onwards share the header
// layout read below; older ones are outside what Delve 1.27 supports.
const (
	pclntabMagic118 = 0xfffffff0
	pclntabMagic120 = 0xfffffff1
)

func functionTable(in *Input) ([]finding.Finding, error) {
	f, _ := in.ELF()
	s := f.Section(".gopclntab")
	if s == nil || s.Type == elf.SHT_NOBITS {
		return nil, nil // stripped of its section header: BP-NODWARF-BLIND's case
	}
	data, err := s.Data()
	if err != nil {
		return nil, fmt.Errorf("read .gopclntab: %w", err)
	}
	problem, err := verifyPclntab(data, f.ByteOrder)
	var unknown *unknownMagicError
	if errors.As(err, &unknown) && newerThanKnown(in) {
		return nil, nil // a newer toolchain's layout: ENV-VERSION-NEW says so
	}
	if err != nil {
		problem = err.Error()
	}
	if problem == "" {
		return nil, nil
	}
	fd := finding.New("BP-PCLNTAB-DAMAGED", finding.Evidencef("elf:.gopclntab", "%s", problem))
	fd.Fixes = []finding.Fix{{Summary: "copy the binary again from where it was built, or rebuild it, and compare its checksum with the build's"}}
	return []finding.Finding{fd}, nil
}

// newerThanKnown reports whether the build information names a Go newer
// than this Delve supports, whose table layout this check cannot know: its
// unknown magic is not called damage.
func newerThanKnown(in *Input) bool {
	bi, err := in.BuildInfo()
	if err != nil {
		return false
	}
	v, ok := goversion.Parse(bi.GoVersion)
	return ok && newerThanSupported(v)
}

// unknownMagicError is a table whose first word is no magic this check
// knows: damage, or a layout newer than the check.
type unknownMagicError struct{ magic uint32 }

func (e *unknownMagicError) Error() string {
	return fmt.Sprintf("header magic %#08x is not a Go 1.18+ function table's (%#x or %#x)", e.magic, uint32(pclntabMagic118), uint32(pclntabMagic120))
}

// pcHeader is the start of a Go 1.18+ .gopclntab; offsets are from the
// section's start.
type pcHeader struct {
	nfunc, funcnameOff, cuOff, pclnOff uint64
}

// verifyPclntab returns the first problem found in the table data, "" for
// none, or an error when the header itself cannot be read.
func verifyPclntab(data []byte, order binary.ByteOrder) (string, error) {
	h, err := readPcHeader(data, order)
	if err != nil {
		return "", err
	}
	ftabEnd := h.pclnOff + (h.nfunc+1)*8
	if ftabEnd > uint64(len(data)) || ftabEnd < h.pclnOff {
		return fmt.Sprintf("function entries (%d at %#x) run past the table's %d bytes", h.nfunc, h.pclnOff, len(data)), nil
	}
	badNames, first := 0, ""
	var prev uint32
	for i := uint64(0); i < h.nfunc; i++ {
		at := h.pclnOff + i*8
		entry, funcOff := order.Uint32(data[at:]), order.Uint32(data[at+4:])
		if i > 0 && entry < prev {
			return fmt.Sprintf("function %d of %d starts at text offset %#x, before function %d's %#x: the runtime refuses to start (invalid function symbol table)", i, h.nfunc, entry, i-1, prev), nil
		}
		prev = entry
		fn := h.pclnOff + uint64(funcOff)
		if fn+8 > uint64(len(data)) {
			return fmt.Sprintf("function %d's record at %#x is past the table's end", i, fn), nil
		}
		if why := checkName(data, h, int32(order.Uint32(data[fn+4:]))); why != "" {
			if badNames++; first == "" {
				first = fmt.Sprintf("function %d (text offset %#x): %s", i, entry, why)
			}
		}
	}
	if badNames > 0 {
		return fmt.Sprintf("%d of %d function names are unreadable; first %s", badNames, h.nfunc, first), nil
	}
	return "", nil
}

// readPcHeader reads and checks the header fields the runtime checks
// (magic, padding, instruction size, pointer size) and the offsets.
func readPcHeader(data []byte, order binary.ByteOrder) (pcHeader, error) {
	if len(data) < 8 {
		return pcHeader{}, fmt.Errorf("the table is %d bytes, shorter than its header", len(data))
	}
	magic := order.Uint32(data)
	if magic != pclntabMagic118 && magic != pclntabMagic120 {
		return pcHeader{}, &unknownMagicError{magic}
	}
	minLC, ptrSize := data[6], data[7]
	if data[4] != 0 || data[5] != 0 || (minLC != 1 && minLC != 2 && minLC != 4) || (ptrSize != 4 && ptrSize != 8) {
		return pcHeader{}, fmt.Errorf("header bytes % x: padding not zero, or instruction size %d / pointer size %d impossible: the runtime refuses to start", data[4:8], minLC, ptrSize)
	}
	word := func(i int) uint64 {
		at := 8 + i*int(ptrSize)
		if at+int(ptrSize) > len(data) {
			return ^uint64(0)
		}
		if ptrSize == 4 {
			return uint64(order.Uint32(data[at:]))
		}
		return order.Uint64(data[at:])
	}
	// nfunc, nfiles, textStart, funcnameOffset, cuOffset, filetabOffset,
	// pctabOffset, pclnOffset.
	h := pcHeader{nfunc: word(0), funcnameOff: word(3), cuOff: word(4), pclnOff: word(7)}
	size := uint64(len(data))
	if h.nfunc > size/8 || h.funcnameOff > h.cuOff || h.cuOff > size || h.pclnOff > size {
		return pcHeader{}, fmt.Errorf("header offsets out of range (%d functions, names %#x–%#x, entries at %#x in %d bytes)", h.nfunc, h.funcnameOff, h.cuOff, h.pclnOff, size)
	}
	return h, nil
}

// checkName says why the function name at nameOff in the name table is
// unreadable, or "" when it is a non-empty UTF-8 string ending in NUL
// inside the table.
func checkName(data []byte, h pcHeader, nameOff int32) string {
	if nameOff < 0 || h.funcnameOff+uint64(nameOff) >= h.cuOff {
		return fmt.Sprintf("name offset %#x outside the name table", nameOff)
	}
	names := data[h.funcnameOff+uint64(nameOff) : h.cuOff]
	end := 0
	for end < len(names) && names[end] != 0 {
		end++
	}
	switch {
	case end == len(names):
		return "name not terminated inside the name table"
	case end == 0:
		return "empty name"
	case !utf8.Valid(names[:end]):
		return fmt.Sprintf("name bytes % x… are not UTF-8", names[:min(end, 8)])
	}
	return ""
}
