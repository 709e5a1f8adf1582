package corecheck

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// A Core is what the reader found in an ELF core file: its header, its
// segments and the decoded notes. Every fact keeps the file offset it was
// read at, for evidence. Reading never trusts a size field: whatever lies
// past the end of the file is recorded as missing, not read.
type Core struct {
	Size    int64 // bytes in the file
	Class   elf.Class
	Order   binary.ByteOrder
	Machine elf.Machine
	PhOff   int64 // where the program headers start

	Loads []Segment // PT_LOAD, in file order
	Notes []Segment // PT_NOTE

	// NoteList is every note found, decoded or not.
	NoteList []Note
	// NotesCut is set when a PT_NOTE segment runs past the end of the file.
	NotesCut bool
	// NoteErrs are notes whose contents could not be decoded.
	NoteErrs []*FormatError

	Threads  []Thread     // one per NT_PRSTATUS (or Delve thread note)
	Proc     *PsInfo      // NT_PRPSINFO, nil when absent
	Files    []MappedFile // NT_FILE, in address order
	PageSize uint64       // NT_FILE's unit of file offsets: the page size from the kernel, 1 from gdb
	Auxv     []AuxEntry   // NT_AUXV
	Signal   *SigInfo     // NT_SIGINFO of the thread that got the signal
	Delve    *DelveHeader // a core written by Delve's dump command

	r io.ReaderAt
}

// A Segment is one program header of the core.
type Segment struct {
	Index    int   // program header index
	HdrOff   int64 // where the program header is
	Off      uint64
	FileSize uint64
	Vaddr    uint64
	MemSize  uint64
	Flags    elf.ProgFlag
}

// End returns the file offset just past the segment's contents.
func (s Segment) End() uint64 { return s.Off + s.FileSize }

// A Note is one ELF note of the core.
type Note struct {
	Name    string
	Type    elf.NType
	Off     int64 // of the note header
	DescOff int64
	Size    int // of the descriptor
}

// A Thread is one thread the core holds registers of.
type Thread struct {
	TID    int
	Signal int   // the signal pending for it (pr_cursig)
	Off    int64 // of its note
}

// PsInfo is the process description of NT_PRPSINFO.
type PsInfo struct {
	PID, PPID int
	UID       int
	Fname     string // the executable's name, at most 15 bytes
	Args      string // the command line, at most 80 bytes
	Off       int64
}

// A MappedFile is one file mapping of NT_FILE.
type MappedFile struct {
	Start, End uint64
	PageOff    uint64 // file offset, in units of the core's PageSize
	Path       string
}

// An AuxEntry is one entry of the auxiliary vector.
type AuxEntry struct {
	Tag, Val uint64
}

// Auxiliary vector tags the doctor reads.
const (
	AtPhdr   = 3
	AtPageSz = 6
	AtEntry  = 9
)

// SigInfo is the signal that ended the process (NT_SIGINFO).
type SigInfo struct {
	Signo, Code int
	Addr        uint64 // the faulting address, for SIGSEGV and SIGBUS
}

// DelveHeader is the header note of a core written by Delve's dump.
type DelveHeader struct {
	GOOS, GOARCH string
	Version      string
	PID          int
	Entry        uint64
}

// Open reads the core file at path. The Core keeps the file open for
// ReadAt; Close releases it.
func Open(path string) (*Core, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	c, err := Read(f, st.Size())
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return c, f, nil
}

// Read reads a core of size bytes from r. It returns an error only when
// the file is no ELF core at all or its headers cannot be read; damaged
// or missing notes and segments are recorded in the Core.
func Read(r io.ReaderAt, size int64) (*Core, error) {
	if size <= 0 {
		return nil, ErrEmpty
	}
	ident := make([]byte, min(size, 64))
	if _, err := r.ReadAt(ident, 0); err != nil && err != io.EOF {
		return nil, formatErr(0, "file header", err)
	}
	if c := compressionOf(ident); c != nil {
		return nil, &CompressedError{Format: c.name}
	}
	if len(ident) < 4 || string(ident[:4]) != elf.ELFMAG {
		return nil, ErrNotELF
	}
	c := &Core{Size: size, r: r}
	if err := c.readHeader(ident); err != nil {
		return nil, err
	}
	c.readNotes()
	return c, nil
}

// ReadAt reads the core file's bytes.
func (c *Core) ReadAt(p []byte, off int64) (int, error) { return c.r.ReadAt(p, off) }

// word is the size of the core's addresses.
func (c *Core) word() int {
	if c.Class == elf.ELFCLASS32 {
		return 4
	}
	return 8
}

// readHeader decodes the ELF header and the program headers.
func (c *Core) readHeader(h []byte) error {
	if len(h) < 52 {
		return formatErr(0, "ELF header", ErrTruncated)
	}
	c.Class = elf.Class(h[elf.EI_CLASS])
	switch elf.Data(h[elf.EI_DATA]) {
	case elf.ELFDATA2LSB:
		c.Order = binary.LittleEndian
	case elf.ELFDATA2MSB:
		c.Order = binary.BigEndian
	default:
		return formatErr(elf.EI_DATA, "ELF header", fmt.Errorf("unknown data encoding %d", h[elf.EI_DATA]))
	}
	var phoff uint64
	var phentsize, phnum, shoffAt, phentAt int
	switch c.Class {
	case elf.ELFCLASS64:
		if len(h) < 64 {
			return formatErr(0, "ELF header", ErrTruncated)
		}
		phoff, phentsize, phnum, shoffAt, phentAt = c.Order.Uint64(h[32:]), int(c.Order.Uint16(h[54:])), int(c.Order.Uint16(h[56:])), 40, 54
	case elf.ELFCLASS32:
		phoff, phentsize, phnum, shoffAt, phentAt = uint64(c.Order.Uint32(h[28:])), int(c.Order.Uint16(h[42:])), int(c.Order.Uint16(h[44:])), 32, 42
	default:
		return formatErr(elf.EI_CLASS, "ELF header", fmt.Errorf("unknown class %d", h[elf.EI_CLASS]))
	}
	if t := elf.Type(c.Order.Uint16(h[16:])); t != elf.ET_CORE {
		return &NotCoreError{Type: t}
	}
	c.Machine = elf.Machine(c.Order.Uint16(h[18:]))
	if phnum == 0xffff { // PN_XNUM: the count is in section header 0's sh_info
		n, err := c.extendedPhnum(h, shoffAt)
		if err != nil {
			return err
		}
		phnum = n
	}
	min := 56
	if c.Class == elf.ELFCLASS32 {
		min = 32
	}
	if phnum > 0 && phentsize < min {
		return formatErr(int64(phentAt), "ELF header", fmt.Errorf("program header size %d, want at least %d", phentsize, min))
	}
	if phoff > uint64(c.Size) || uint64(phnum)*uint64(phentsize) > uint64(c.Size)-phoff {
		return formatErr(int64(min64(phoff, uint64(c.Size))), fmt.Sprintf("%d program headers", phnum), ErrTruncated)
	}
	c.PhOff = int64(phoff)
	buf := make([]byte, phnum*phentsize)
	if _, err := c.r.ReadAt(buf, c.PhOff); err != nil {
		return formatErr(c.PhOff, "program headers", err)
	}
	for i := range phnum {
		c.addSegment(i, buf[i*phentsize:(i+1)*phentsize])
	}
	return nil
}

// extendedPhnum reads the program header count from section header 0.
func (c *Core) extendedPhnum(h []byte, shoffAt int) (int, error) {
	var shoff uint64
	var infoAt int
	if c.Class == elf.ELFCLASS64 {
		shoff, infoAt = c.Order.Uint64(h[shoffAt:]), 44
	} else {
		shoff, infoAt = uint64(c.Order.Uint32(h[shoffAt:])), 28
	}
	var b [4]byte
	if shoff > uint64(c.Size) {
		return 0, formatErr(int64(shoffAt), "section header 0 (extended program header count)", ErrTruncated)
	}
	if _, err := c.r.ReadAt(b[:], int64(shoff)+int64(infoAt)); err != nil {
		return 0, formatErr(int64(shoff), "section header 0 (extended program header count)", ErrTruncated)
	}
	return int(c.Order.Uint32(b[:])), nil
}

func (c *Core) addSegment(i int, p []byte) {
	s := Segment{Index: i, HdrOff: c.PhOff + int64(i*len(p))}
	var typ elf.ProgType
	if c.Class == elf.ELFCLASS64 {
		typ, s.Flags = elf.ProgType(c.Order.Uint32(p)), elf.ProgFlag(c.Order.Uint32(p[4:]))
		s.Off, s.Vaddr = c.Order.Uint64(p[8:]), c.Order.Uint64(p[16:])
		s.FileSize, s.MemSize = c.Order.Uint64(p[32:]), c.Order.Uint64(p[40:])
	} else {
		typ, s.Off, s.Vaddr = elf.ProgType(c.Order.Uint32(p)), uint64(c.Order.Uint32(p[4:])), uint64(c.Order.Uint32(p[8:]))
		s.FileSize, s.MemSize = uint64(c.Order.Uint32(p[16:])), uint64(c.Order.Uint32(p[20:]))
		s.Flags = elf.ProgFlag(c.Order.Uint32(p[24:]))
	}
	switch typ {
	case elf.PT_LOAD:
		c.Loads = append(c.Loads, s)
	case elf.PT_NOTE:
		c.Notes = append(c.Notes, s)
	}
}

func min64(a, b uint64) uint64 {
	if a < b {
		return a
	}
	return b
}

// ReadMemory reads len(p) bytes of the process's memory at addr from the
// core's own segments (not from the executable). It fails when a byte is
// not in any segment's file contents, or lies past the end of the file.
func (c *Core) ReadMemory(p []byte, addr uint64) error {
	for len(p) > 0 {
		s, ok := c.segmentAt(addr)
		if !ok {
			return &MemoryError{Addr: addr, Why: "no segment of the core holds this address"}
		}
		skip := addr - s.Vaddr
		if skip >= s.FileSize {
			return &MemoryError{Addr: addr, Why: fmt.Sprintf("segment %d holds no contents here (memory size %#x, file size %#x)", s.Index, s.MemSize, s.FileSize)}
		}
		n := min64(uint64(len(p)), s.FileSize-skip)
		off := s.Off + skip
		if off+n > uint64(c.Size) {
			return &MemoryError{Addr: addr, Why: fmt.Sprintf("segment %d's contents at offset %#x are past the end of the file (%d bytes)", s.Index, off, c.Size), Cut: true}
		}
		if _, err := c.r.ReadAt(p[:n], int64(off)); err != nil {
			return &MemoryError{Addr: addr, Why: err.Error()}
		}
		p, addr = p[n:], addr+n
	}
	return nil
}

func (c *Core) segmentAt(addr uint64) (Segment, bool) {
	for _, s := range c.Loads {
		if addr >= s.Vaddr && addr-s.Vaddr < s.MemSize {
			return s, true
		}
	}
	return Segment{}, false
}

// A MemoryError reports process memory the core does not hold.
type MemoryError struct {
	Addr uint64
	Why  string
	Cut  bool // the core holds it, but the file ends before it
}

func (e *MemoryError) Error() string { return fmt.Sprintf("memory at %#x: %s", e.Addr, e.Why) }
