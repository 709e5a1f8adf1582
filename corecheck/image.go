package corecheck

import (
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
)

// An Image is what the first page of an executable says about its build:
// the ELF header fields and the build ID notes that lie in that page. The
// kernel copies this page into a core (coredump_filter bit 4, on by
// default), so the same parse of the core's copy and of a file on disk
// tells whether they are one build.
type Image struct {
	Type    elf.Type
	Machine elf.Machine
	Entry   uint64
	PhOff   uint64
	Loads   []Segment // PT_LOAD headers found in the page

	GoBuildID  string // .note.go.buildid, "" when absent
	GoIDOff    int64  // its offset in the page, or -1
	GNUBuildID string // NT_GNU_BUILD_ID in hex, "" when absent
	GNUIDOff   int64
}

// ErrNoImage means a page does not start with an ELF header.
var ErrNoImage = errors.New("no ELF header")

// Note types of build IDs.
const (
	ntGNUBuildID = 3 // name "GNU"
	ntGoBuildID  = 4 // name "Go"
)

// ParseImage decodes the ELF header, program headers and build ID notes
// found in page, the first bytes of an executable.
func ParseImage(page []byte) (*Image, error) {
	if len(page) < 52 || string(page[:4]) != elf.ELFMAG {
		return nil, ErrNoImage
	}
	var o binary.ByteOrder = binary.LittleEndian
	if elf.Data(page[elf.EI_DATA]) == elf.ELFDATA2MSB {
		o = binary.BigEndian
	}
	c := &Core{Class: elf.Class(page[elf.EI_CLASS]), Order: o, Size: int64(len(page))}
	im := &Image{Type: elf.Type(o.Uint16(page[16:])), Machine: elf.Machine(o.Uint16(page[18:])), GoIDOff: -1, GNUIDOff: -1}
	var phentsize, phnum int
	switch c.Class {
	case elf.ELFCLASS64:
		if len(page) < 64 {
			return nil, ErrNoImage
		}
		im.Entry, im.PhOff = o.Uint64(page[24:]), o.Uint64(page[32:])
		phentsize, phnum = int(o.Uint16(page[54:])), int(o.Uint16(page[56:]))
		if phentsize < 56 {
			phnum = 0
		}
	case elf.ELFCLASS32:
		im.Entry, im.PhOff = uint64(o.Uint32(page[24:])), uint64(o.Uint32(page[28:]))
		phentsize, phnum = int(o.Uint16(page[42:])), int(o.Uint16(page[44:]))
		if phentsize < 32 {
			phnum = 0
		}
	default:
		return nil, fmt.Errorf("unknown ELF class %d: %w", page[elf.EI_CLASS], ErrNoImage)
	}
	c.PhOff = int64(im.PhOff)
	for i := range phnum {
		at := im.PhOff + uint64(i*phentsize)
		if at > uint64(len(page)) || uint64(len(page))-at < uint64(phentsize) {
			break // the rest of the headers are past the page
		}
		c.addSegment(i, page[at:at+uint64(phentsize)])
	}
	im.Loads = c.Loads
	for _, s := range c.Notes {
		if s.Off < uint64(len(page)) {
			im.scanNotes(page, s.Off, o)
		}
	}
	return im, nil
}

// scanNotes reads build ID notes from off on, past the end of their
// PT_NOTE segment too: Go's linker puts .note.gnu.build-id right after
// .note.go.buildid without a program header of its own. It stops at the
// first bytes that are not a build ID note.
func (im *Image) scanNotes(page []byte, off uint64, o binary.ByteOrder) {
	pos := int(off)
	for pos+12 <= len(page) {
		namesz, descsz, typ := int(o.Uint32(page[pos:])), int(o.Uint32(page[pos+4:])), o.Uint32(page[pos+8:])
		if namesz > 16 || descsz > 256 || pos+12+align4(namesz)+descsz > len(page) {
			return
		}
		name := cstring(page[pos+12 : pos+12+namesz])
		desc := page[pos+12+align4(namesz) : pos+12+align4(namesz)+descsz]
		switch {
		case name == "Go" && typ == ntGoBuildID && im.GoBuildID == "":
			im.GoBuildID, im.GoIDOff = string(desc), int64(pos)
		case name == "GNU" && typ == ntGNUBuildID && im.GNUBuildID == "":
			im.GNUBuildID, im.GNUIDOff = hex.EncodeToString(desc), int64(pos)
		case name == "GNU" || name == "Go":
			// another note of the same owners (ABI tag, property): go on
		default:
			return
		}
		pos += 12 + align4(namesz) + align4(descsz)
	}
}

// BuildID returns the image's identity for messages and comparisons: the
// Go build ID when present, else the GNU one; kind names which.
func (im *Image) BuildID() (id, kind string) {
	if im.GoBuildID != "" {
		return im.GoBuildID, "Go build ID"
	}
	if im.GNUBuildID != "" {
		return im.GNUBuildID, "GNU build ID"
	}
	return "", ""
}

// ExeMapping returns the NT_FILE mapping of the executable's first page:
// the one holding AT_PHDR (the program headers the kernel mapped), else
// the one holding AT_ENTRY, else the first mapping at file offset 0.
func (c *Core) ExeMapping() (MappedFile, bool) {
	for _, tag := range []uint64{AtPhdr, AtEntry} {
		addr, ok := c.Aux(tag)
		if !ok {
			continue
		}
		for _, f := range c.Files {
			if addr >= f.Start && addr < f.End {
				if first, ok := c.firstMapping(f.Path); ok {
					return first, true
				}
			}
		}
	}
	for _, f := range c.Files {
		if f.PageOff == 0 {
			return f, true
		}
	}
	return MappedFile{}, false
}

// MemPageSize returns the process's page size: AT_PAGESZ, else NT_FILE's
// unit when it is a plausible page size (gdb's gcore writes 1 there and
// offsets in bytes), else 4096.
func (c *Core) MemPageSize() uint64 {
	if v, ok := c.Aux(AtPageSz); ok && v >= 512 && v <= 1<<16 {
		return v
	}
	if c.PageSize >= 512 && c.PageSize <= 1<<16 {
		return c.PageSize
	}
	return 4096
}

// firstMapping returns the mapping of path at file offset 0.
func (c *Core) firstMapping(path string) (MappedFile, bool) {
	for _, f := range c.Files {
		if f.Path == path && f.PageOff == 0 {
			return f, true
		}
	}
	return MappedFile{}, false
}

// ExeImage returns the executable's first page as the core holds it,
// parsed, and the address it was mapped at.
func (c *Core) ExeImage() (*Image, MappedFile, error) {
	m, ok := c.ExeMapping()
	if !ok {
		return nil, m, errors.New("no NT_FILE mapping of the executable")
	}
	buf := make([]byte, min64(c.MemPageSize(), m.End-m.Start))
	if err := c.ReadMemory(buf, m.Start); err != nil {
		return nil, m, err
	}
	im, err := ParseImage(buf)
	return im, m, err
}
