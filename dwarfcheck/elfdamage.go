package dwarfcheck

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"os"
)

// A DamageKind says which part of an ELF file is missing or out of place.
type DamageKind int

// The kinds of damage the ELF diagnosis names.
const (
	DamageEmpty          DamageKind = iota + 1 // the file has no bytes
	DamageHeader                               // the file ends inside the ELF header
	DamageProgHeaders                          // the program header table extends past the end of the file
	DamageSectionHeaders                       // the section header table extends past the end of the file
	DamageNoSectionTable                       // e_shoff is 0 although e_shnum counts sections
	DamageSection                              // a section's contents extend past the end of the file
)

// A DamageError reports an ELF file whose header points past its end or
// at nothing: a truncated copy, a build still being written, a header
// overwritten. debug/elf reports most of these as a bare EOF. Callers
// tell kinds apart with errors.As and Kind.
type DamageError struct {
	Kind   DamageKind
	Part   string // what is cut: "section header table", "section .debug_info"
	Offset int64  // file offset where the part starts
	Need   int64  // bytes the part needs from Offset
	Count  uint64 // entries of a table, when Part is one
	Size   int64  // the file's size
	Err    error  // what debug/elf reported, or nil
}

func (e *DamageError) Error() string {
	switch e.Kind {
	case DamageEmpty:
		return "empty file, not an ELF executable"
	case DamageHeader:
		return fmt.Sprintf("truncated ELF file: %d bytes, shorter than the %d-byte ELF header", e.Size, e.Need)
	case DamageNoSectionTable:
		return fmt.Sprintf("damaged ELF header: e_shoff is 0 but e_shnum counts %d sections", e.Count)
	}
	what := e.Part
	if e.Count > 0 {
		what = fmt.Sprintf("%s (%d entries)", e.Part, e.Count)
	}
	// The header may be the damaged part: say what does not fit, not why.
	return fmt.Sprintf("ELF file cut short or its header corrupt: the %s at %#x needs %d bytes, but the file ends at %#x", what, e.Offset, e.Need, e.Size)
}

// Unwrap returns debug/elf's error.
func (e *DamageError) Unwrap() error { return e.Err }

// diagnoseFile explains what in the layout of the file at path is
// damaged, or returns nil when its sizes are consistent. openErr is what
// debug/elf reported opening it, or nil when it opened: debug/elf reads
// only the headers, the section name table and compression headers, so a
// file it opens may still be cut.
func diagnoseFile(path string, openErr error) *DamageError {
	fh, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil
	}
	d := diagnoseLayout(fh, st.Size())
	if d != nil {
		d.Err = openErr
	}
	return d
}

// diagnoseLayout checks the ELF header, the header tables, the section
// name table and every section's contents against the file's size.
func diagnoseLayout(r io.ReaderAt, size int64) *DamageError {
	if size == 0 {
		return &DamageError{Kind: DamageEmpty}
	}
	h, err := readRawHeader(r, size)
	switch {
	case err == io.ErrUnexpectedEOF:
		need := layout64.size
		if h != nil {
			need = h.layout.size
		}
		return &DamageError{Kind: DamageHeader, Part: "ELF header", Need: need, Size: size}
	case err != nil:
		return nil
	}
	if h.phnum > 0 && h.phentsize != h.layout.phdrSize || h.shentsize != h.layout.shdrSize && (h.shnum > 0 || h.shoff > 0) {
		return nil // debug/elf says "invalid ELF phentsize/shentsize"
	}
	if d := pastEnd(DamageProgHeaders, "program header table", h.phoff, h.phnum, h.phentsize, size); d != nil {
		return d
	}
	if h.shoff == 0 {
		if h.shnum != 0 {
			return &DamageError{Kind: DamageNoSectionTable, Count: h.shnum, Size: size}
		}
		return nil
	}
	shnum, shstrndx, d := sectionCounts(r, h, size)
	if d != nil || shnum == 0 {
		return d
	}
	if d := pastEnd(DamageSectionHeaders, "section header table", h.shoff, shnum, h.shentsize, size); d != nil {
		return d
	}
	var names *rawShdr
	if shstrndx < shnum {
		if sh, err := readShdr(r, h, shstrndx); err == nil && sh.typ != elf.SHT_NOBITS {
			if d := pastEnd(DamageSection, fmt.Sprintf("section name table (section %d)", shstrndx), sh.off, 1, sh.size, size); d != nil {
				return d
			}
			names = &sh
		}
	}
	for i := range shnum {
		sh, err := readShdr(r, h, i)
		if err != nil || sh.typ == elf.SHT_NOBITS || sh.typ == elf.SHT_NULL {
			continue
		}
		if d := pastEnd(DamageSection, "section "+sectionName(r, names, sh.name, i), sh.off, 1, sh.size, size); d != nil {
			return d
		}
	}
	return nil
}

// sectionCounts returns the number of sections and the index of the
// section name table, from section 0 when the header defers to it
// (extended numbering, for files of 0xff00 sections or more).
func sectionCounts(r io.ReaderAt, h *rawHeader, size int64) (shnum, shstrndx uint64, d *DamageError) {
	shnum, shstrndx = h.shnum, h.shstrndx
	if shnum != 0 && shstrndx != uint64(elf.SHN_XINDEX) {
		return shnum, shstrndx, nil
	}
	if d := pastEnd(DamageSectionHeaders, "section header table", h.shoff, 1, h.shentsize, size); d != nil {
		return 0, 0, d
	}
	sh, err := readShdr(r, h, 0)
	if err != nil {
		return 0, 0, nil
	}
	if shnum == 0 {
		shnum = sh.size
	}
	if shstrndx == uint64(elf.SHN_XINDEX) {
		shstrndx = uint64(sh.link)
	}
	return shnum, shstrndx, nil
}

// pastEnd returns a DamageError of kind when n entries of entSize bytes at
// off do not fit in a file of size bytes.
func pastEnd(kind DamageKind, part string, off, n, entSize uint64, size int64) *DamageError {
	if n == 0 || entSize == 0 {
		return nil
	}
	need := n * entSize
	if need/entSize != n || off > uint64(size) || need > uint64(size)-off {
		d := &DamageError{Kind: kind, Part: part, Offset: int64(off), Need: int64(need), Size: size}
		if kind != DamageSection {
			d.Count = n
		}
		return d
	}
	return nil
}

// A rawShdr holds the fields of a section header the diagnosis reads.
type rawShdr struct {
	name      uint32 // sh_name: offset in the section name table
	typ       elf.SectionType
	off, size uint64
	link      uint32
}

// readShdr reads the header of section i.
func readShdr(r io.ReaderAt, h *rawHeader, i uint64) (rawShdr, error) {
	l := h.layout
	buf := make([]byte, l.shLink+4)
	if _, err := r.ReadAt(buf, int64(h.shoff+i*h.shentsize)); err != nil {
		return rawShdr{}, err
	}
	return rawShdr{
		name: h.order.Uint32(buf),
		typ:  elf.SectionType(h.order.Uint32(buf[l.shType:])),
		off:  h.word(buf, l.shOffset),
		size: h.word(buf, l.shSize),
		link: h.order.Uint32(buf[l.shLink:]),
	}, nil
}

// sectionName reads a section's name from the name table, or calls it by
// its index when the name cannot be read.
func sectionName(r io.ReaderAt, names *rawShdr, off uint32, i uint64) string {
	const maxName = 64
	if names != nil && uint64(off) < names.size {
		buf := make([]byte, min(maxName, names.size-uint64(off)))
		n, _ := r.ReadAt(buf, int64(names.off+uint64(off)))
		if end := bytes.IndexByte(buf[:n], 0); end > 0 {
			return string(buf[:end])
		}
	}
	return fmt.Sprintf("%d", i)
}
