package corecheck

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Note types the reader decodes, beyond debug/elf's.
const (
	ntAuxv        elf.NType = 6          // the auxiliary vector
	ntFile        elf.NType = 0x46494c45 // "FILE": mapped files
	ntSiginfo     elf.NType = 0x53494749 // "SIGI": the signal's siginfo_t
	ntDelveHeader elf.NType = 0x444c5645 // "DLVE": Delve's dump header
	ntDelveThread elf.NType = 0x444c5654 // "DLVT": Delve's dump thread
)

// maxNotes bounds the note bytes read: ~3.5 KiB per thread, so this is
// tens of thousands of threads; a larger size field is damage.
const maxNotes = 256 << 20

// readNotes reads and decodes the notes of every PT_NOTE segment.
func (c *Core) readNotes() {
	for _, s := range c.Notes {
		n := s.FileSize
		if s.Off >= uint64(c.Size) {
			c.NotesCut = true
			continue
		}
		if s.End() > uint64(c.Size) || s.End() < s.Off {
			n, c.NotesCut = uint64(c.Size)-s.Off, true
		}
		if n > maxNotes {
			c.NoteErrs = append(c.NoteErrs, formatErr(s.HdrOff, fmt.Sprintf("program header %d", s.Index), fmt.Errorf("note segment of %d bytes", s.FileSize)))
			continue
		}
		buf := make([]byte, n)
		if _, err := c.r.ReadAt(buf, int64(s.Off)); err != nil {
			c.NoteErrs = append(c.NoteErrs, formatErr(int64(s.Off), "note segment", err))
			continue
		}
		c.parseNotes(buf, int64(s.Off))
	}
}

// parseNotes walks the notes of one segment read at file offset base.
func (c *Core) parseNotes(buf []byte, base int64) {
	for pos := 0; pos < len(buf); {
		if len(buf)-pos < 12 {
			if !allZero(buf[pos:]) {
				c.NoteErrs = append(c.NoteErrs, formatErr(base+int64(pos), "note header", ErrTruncated))
			}
			return
		}
		namesz, descsz := int(c.Order.Uint32(buf[pos:])), int(c.Order.Uint32(buf[pos+4:]))
		typ := elf.NType(c.Order.Uint32(buf[pos+8:]))
		nameAt := pos + 12
		descAt := nameAt + align4(namesz)
		end := descAt + align4(descsz)
		if namesz < 0 || descsz < 0 || descAt > len(buf) || end > len(buf) || end < descAt || descAt+descsz > len(buf) {
			c.NoteErrs = append(c.NoteErrs, formatErr(base+int64(pos), "note header", fmt.Errorf("name %d and descriptor %d bytes run past the segment's %d: %w", namesz, descsz, len(buf)-pos, ErrTruncated)))
			return
		}
		n := Note{Name: cstring(buf[nameAt : nameAt+namesz]), Type: typ, Off: base + int64(pos), DescOff: base + int64(descAt), Size: descsz}
		c.NoteList = append(c.NoteList, n)
		if err := c.decode(n, buf[descAt:descAt+descsz]); err != nil {
			c.NoteErrs = append(c.NoteErrs, formatErr(n.Off, noteName(n), err))
		}
		pos = end
	}
}

func align4(n int) int { return (n + 3) &^ 3 }

func allZero(b []byte) bool { return len(bytes.Trim(b, "\x00")) == 0 }

// cstring returns b up to its first NUL.
func cstring(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// noteName returns the conventional name of a note's type.
func noteName(n Note) string {
	switch n.Type {
	case elf.NT_PRSTATUS:
		return "NT_PRSTATUS note"
	case elf.NT_PRPSINFO:
		return "NT_PRPSINFO note"
	case ntAuxv:
		return "NT_AUXV note"
	case ntFile:
		return "NT_FILE note"
	case ntSiginfo:
		return "NT_SIGINFO note"
	case ntDelveHeader:
		return "Delve header note"
	case ntDelveThread:
		return "Delve thread note"
	}
	return fmt.Sprintf("note %s/%#x", n.Name, uint32(n.Type))
}

var errShort = errors.New("descriptor too short")

// decode decodes the notes Delve and the doctor read; others are kept as
// Notes only.
func (c *Core) decode(n Note, d []byte) error {
	w := c.word()
	switch {
	case n.Type == elf.NT_PRSTATUS && coreOwner(n.Name):
		// prstatus: siginfo (12), cursig (2), pad (2), sigpend and
		// sighold (words), then pid.
		at := 16 + 2*w
		if len(d) < at+4 {
			return errShort
		}
		c.Threads = append(c.Threads, Thread{TID: int(int32(c.Order.Uint32(d[at:]))), Signal: int(c.Order.Uint16(d[12:])), Off: n.Off})
	case n.Type == elf.NT_PRPSINFO && coreOwner(n.Name):
		return c.decodePsinfo(n, d)
	case n.Type == ntAuxv && coreOwner(n.Name):
		for i := 0; i+2*w <= len(d); i += 2 * w {
			c.Auxv = append(c.Auxv, AuxEntry{Tag: c.uword(d[i:]), Val: c.uword(d[i+w:])})
		}
	case n.Type == ntFile && coreOwner(n.Name):
		return c.decodeFiles(d)
	case n.Type == ntSiginfo && coreOwner(n.Name) && c.Signal == nil:
		if len(d) < 12 {
			return errShort
		}
		si := &SigInfo{Signo: int(int32(c.Order.Uint32(d))), Code: int(int32(c.Order.Uint32(d[8:])))}
		if addrAt := 16; w == 8 && len(d) >= addrAt+8 { // the union is 8-aligned on 64-bit
			si.Addr = c.Order.Uint64(d[addrAt:])
		} else if w == 4 && len(d) >= 16 {
			si.Addr = uint64(c.Order.Uint32(d[12:]))
		}
		c.Signal = si
	case n.Type == ntDelveHeader:
		return c.decodeDelveHeader(d)
	case n.Type == ntDelveThread:
		if len(d) < 8 {
			return errShort
		}
		c.Threads = append(c.Threads, Thread{TID: int(c.Order.Uint64(d)), Off: n.Off})
	}
	return nil
}

// coreOwner reports whether a note's owner is the kernel's "CORE", or
// the empty name Delve's dump writes: Delve's reader looks at types only.
func coreOwner(name string) bool { return name == "CORE" || name == "" }

func (c *Core) uword(b []byte) uint64 {
	if c.word() == 4 {
		return uint64(c.Order.Uint32(b))
	}
	return c.Order.Uint64(b)
}

// decodePsinfo reads the 64-bit elf_prpsinfo (the layout of amd64,
// arm64, riscv64 and loong64); on 32-bit machines the uid width varies,
// so only the command is read there.
func (c *Core) decodePsinfo(n Note, d []byte) error {
	p := &PsInfo{Off: n.Off}
	if c.word() == 8 {
		if len(d) < 136 {
			return errShort
		}
		p.UID = int(c.Order.Uint32(d[16:]))
		p.PID, p.PPID = int(int32(c.Order.Uint32(d[24:]))), int(int32(c.Order.Uint32(d[28:])))
		p.Fname, p.Args = cstring(d[40:56]), strings.TrimSpace(cstring(d[56:136]))
	} else if len(d) >= 124 {
		p.Fname, p.Args = cstring(d[len(d)-96:len(d)-80]), strings.TrimSpace(cstring(d[len(d)-80:]))
	}
	c.Proc = p
	return nil
}

// decodeFiles reads NT_FILE: count, page size, count (start, end, page
// offset) triples, then count NUL-terminated paths.
func (c *Core) decodeFiles(d []byte) error {
	w := c.word()
	if len(d) < 2*w {
		return errShort
	}
	count, page := c.uword(d), c.uword(d[w:])
	if count > uint64(len(d)/(3*w)) {
		return fmt.Errorf("%d mappings do not fit in %d bytes", count, len(d))
	}
	c.PageSize = page
	names := d[2*w+int(count)*3*w:]
	for i := range int(count) {
		e := d[2*w+i*3*w:]
		f := MappedFile{Start: c.uword(e), End: c.uword(e[w:]), PageOff: c.uword(e[2*w:])}
		j := bytes.IndexByte(names, 0)
		if j < 0 {
			return fmt.Errorf("mapping %d of %d has no path", i, count)
		}
		f.Path, names = string(names[:j]), names[j+1:]
		c.Files = append(c.Files, f)
	}
	return nil
}

// decodeDelveHeader reads "goos/goarch\nversion\nTarget Pid: N\nEntry
// Point: 0x…\n".
func (c *Core) decodeDelveHeader(d []byte) error {
	lines := strings.Split(string(d), "\n")
	plat := strings.Split(lines[0], "/")
	if len(plat) != 2 {
		return fmt.Errorf("platform line %q is not goos/goarch", lines[0])
	}
	h := &DelveHeader{GOOS: plat[0], GOARCH: plat[1]}
	if len(lines) > 1 {
		h.Version = strings.TrimPrefix(lines[1], "Version: ")
	}
	for _, l := range lines[min(2, len(lines)):] {
		if v, ok := strings.CutPrefix(l, "Target Pid: "); ok {
			pid, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("bad pid %q", v)
			}
			h.PID = pid
		}
		if v, ok := strings.CutPrefix(l, "Entry Point: "); ok {
			e, err := strconv.ParseUint(v, 0, 64)
			if err != nil {
				return fmt.Errorf("bad entry point %q", v)
			}
			h.Entry = e
		}
	}
	c.Delve = h
	return nil
}

// Aux returns the value of an auxiliary vector tag.
func (c *Core) Aux(tag uint64) (uint64, bool) {
	for _, a := range c.Auxv {
		if a.Tag == tag {
			return a.Val, true
		}
	}
	return 0, false
}
