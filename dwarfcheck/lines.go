package dwarfcheck

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// lineSource is where Files streams line tables from when the DWARF data
// was read without them (readDWARF): the section, and the string sections
// their file entries may point into.
type lineSource struct {
	f       *elf.File
	str     []byte // .debug_str
	lineStr []byte // .debug_line_str
}

// streamFiles returns the distinct file names of the units' line tables,
// in first-seen order, as (*dwarf.LineReader).Files names them. It reads
// .debug_line front to back one table at a time, so neither the
// decompressed section nor more than one table's file names are held at
// once. Each table is decoded by debug/dwarf itself, through a one-unit
// DWARF data set whose unit points at the table: the names are debug/dwarf's.
func (ls *lineSource) streamFiles(units []Unit) ([]string, error) {
	sec := ls.f.Section(".debug_line")
	if sec == nil || sec.Type == elf.SHT_NOBITS {
		return nil, nil
	}
	tr := &tableReader{sec: sec, order: ls.f.ByteOrder}
	seen := map[string]bool{}
	var files []string
	for _, u := range units {
		off, ok := u.entry.Val(dwarf.AttrStmtList).(int64)
		if !ok {
			continue // no line table
		}
		table, err := tr.table(off)
		if err != nil {
			return files, fmt.Errorf("line table of %s: %w", u.Name, err)
		}
		names, err := ls.tableFiles(table, u.CompDir)
		if err != nil {
			return files, fmt.Errorf("line table of %s: %w", u.Name, &SectionError{Section: sec.Name, Offset: off, Err: err})
		}
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				files = append(files, n)
			}
		}
	}
	return files, nil
}

// tableFiles decodes one line table's header with debug/dwarf and returns
// its file names.
func (ls *lineSource) tableFiles(table []byte, compDir string) ([]string, error) {
	o := ls.f.ByteOrder
	asize := byte(8)
	if ls.f.Class == elf.ELFCLASS32 {
		asize = 4
	}
	// A version 4 unit header and an empty unit (one null entry), whose
	// abbreviation table is empty.
	info := make([]byte, 12)
	o.PutUint32(info, 8)
	o.PutUint16(info[4:], 4)
	info[10] = asize
	d, err := dwarf.New([]byte{0}, nil, nil, info, table, nil, nil, ls.str)
	if err != nil {
		return nil, err
	}
	if ls.lineStr != nil {
		if err := d.AddSection(".debug_line_str", ls.lineStr); err != nil {
			return nil, err
		}
	}
	cu := &dwarf.Entry{Offset: 11, Tag: dwarf.TagCompileUnit, Field: []dwarf.Field{
		{Attr: dwarf.AttrStmtList, Val: int64(0), Class: dwarf.ClassLinePtr},
		{Attr: dwarf.AttrCompDir, Val: compDir, Class: dwarf.ClassString},
	}}
	lr, err := d.LineReader(cu)
	if err != nil || lr == nil {
		return nil, err
	}
	var names []string
	for _, f := range lr.Files() {
		if f != nil {
			names = append(names, f.Name)
		}
	}
	return names, nil
}

// A tableReader reads the line tables of a .debug_line section in
// ascending offsets through one decompressing reader, reopened only when
// a unit's table lies before the last one read.
type tableReader struct {
	sec   *elf.Section
	order binary.ByteOrder
	r     io.Reader
	pos   int64
	last  int64
	buf   []byte
}

// table returns the whole line table (unit length included) at off.
func (tr *tableReader) table(off int64) ([]byte, error) {
	if tr.buf != nil && off == tr.last {
		return tr.buf, nil // units that share a table
	}
	fail := func(err error) ([]byte, error) {
		tr.r, tr.buf = nil, nil
		return nil, &SectionError{Section: tr.sec.Name, Offset: off, Err: err}
	}
	if off < 0 || uint64(off) >= tr.sec.Size {
		return fail(fmt.Errorf("line table offset past the section's %d bytes", tr.sec.Size))
	}
	if tr.r == nil || off < tr.pos {
		tr.r, tr.pos = tr.sec.Open(), 0
	}
	if _, err := io.CopyN(io.Discard, tr.r, off-tr.pos); err != nil {
		return fail(err)
	}
	tr.pos = off
	var hdr [12]byte
	if _, err := io.ReadFull(tr.r, hdr[:4]); err != nil {
		return fail(err)
	}
	n, size := uint64(tr.order.Uint32(hdr[:4])), 4
	if n == 0xffffffff {
		if _, err := io.ReadFull(tr.r, hdr[4:12]); err != nil {
			return fail(err)
		}
		n, size = tr.order.Uint64(hdr[4:12]), 12
	}
	if n > tr.sec.Size-uint64(off)-uint64(size) {
		return fail(fmt.Errorf("line table of %d bytes runs past the section's end at %#x", n, tr.sec.Size))
	}
	buf := make([]byte, uint64(size)+n)
	copy(buf, hdr[:size])
	if _, err := io.ReadFull(tr.r, buf[size:]); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fail(err)
	}
	tr.pos += int64(len(buf))
	tr.last, tr.buf = off, buf
	return buf, nil
}
