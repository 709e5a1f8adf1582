package dwarfcheck

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"io"
)

// Offsets of ELF header fields, from the System V gABI ("ELF Header").
// Up to e_entry both classes agree; the fields after it move because
// e_entry, e_phoff and e_shoff are 8 bytes wide in ELFCLASS64. Evidence
// cites these offsets; the damage diagnosis (elfdamage.go) reads the
// fields without debug/elf.
const (
	ehdrIdentSize = elf.EI_NIDENT // e_ident
	ehdrType      = 0x10          // e_type, 2 bytes
	ehdrMachine   = 0x12          // e_machine, 2 bytes
)

// An ehdrLayout places the class-dependent fields of the ELF header and of
// a section header.
type ehdrLayout struct {
	size      int64  // e_ehsize: the header's own size
	word      int    // width of e_phoff, e_shoff, sh_offset and sh_size
	phoff     int64  // e_phoff
	shoff     int64  // e_shoff
	phentsize int64  // e_phentsize, then e_phnum, e_shentsize, e_shnum and e_shstrndx, 2 bytes each
	phdrSize  uint64 // the size of a program header
	shdrSize  uint64 // the size of a section header
	// In a section header:
	shType   int64 // sh_type, 4 bytes
	shOffset int64 // sh_offset
	shSize   int64 // sh_size
	shLink   int64 // sh_link, 4 bytes
}

var (
	layout32 = ehdrLayout{size: 52, word: 4, phoff: 0x1c, shoff: 0x20, phentsize: 0x2a, phdrSize: 32, shdrSize: 40, shType: 0x04, shOffset: 0x10, shSize: 0x14, shLink: 0x18}
	layout64 = ehdrLayout{size: 64, word: 8, phoff: 0x20, shoff: 0x28, phentsize: 0x36, phdrSize: 56, shdrSize: 64, shType: 0x04, shOffset: 0x18, shSize: 0x20, shLink: 0x28}
)

// Compression and note headers the checks read raw.
const (
	chdrTypeSize   = 4  // ch_type, the first word of Elf32_Chdr and Elf64_Chdr
	noteHeaderSize = 12 // n_namesz, n_descsz, n_type: 4 bytes each
)

// A rawHeader is the ELF header as the file holds it, read without
// debug/elf so that a file debug/elf refuses can still be described.
type rawHeader struct {
	class            elf.Class
	order            binary.ByteOrder
	layout           *ehdrLayout
	phoff, shoff     uint64
	phentsize, phnum uint64
	shentsize, shnum uint64
	shstrndx         uint64
}

// errNotELF means the file does not start with an ELF identification
// this package can read (magic, class, byte order).
var errNotELF = errors.New("no ELF identification")

// readRawHeader reads the ELF header of a file of size bytes. It returns
// errNotELF for a file without the ELF identification and
// io.ErrUnexpectedEOF for one shorter than its header.
func readRawHeader(r io.ReaderAt, size int64) (*rawHeader, error) {
	ident := make([]byte, ehdrIdentSize)
	if n, _ := r.ReadAt(ident, 0); n < len(ident) {
		if string(ident[:min(n, len(elf.ELFMAG))]) == elf.ELFMAG[:min(n, len(elf.ELFMAG))] {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, errNotELF
	}
	h := &rawHeader{class: elf.Class(ident[elf.EI_CLASS])}
	switch elf.Data(ident[elf.EI_DATA]) {
	case elf.ELFDATA2LSB:
		h.order = binary.LittleEndian
	case elf.ELFDATA2MSB:
		h.order = binary.BigEndian
	}
	switch h.class {
	case elf.ELFCLASS32:
		h.layout = &layout32
	case elf.ELFCLASS64:
		h.layout = &layout64
	}
	if string(ident[:len(elf.ELFMAG)]) != elf.ELFMAG || h.layout == nil || h.order == nil {
		return nil, errNotELF
	}
	if size < h.layout.size {
		return h, io.ErrUnexpectedEOF
	}
	buf := make([]byte, h.layout.size)
	if _, err := r.ReadAt(buf, 0); err != nil {
		return h, io.ErrUnexpectedEOF
	}
	h.phoff = h.word(buf, h.layout.phoff)
	h.shoff = h.word(buf, h.layout.shoff)
	half := func(i int64) uint64 { return uint64(h.order.Uint16(buf[h.layout.phentsize+2*i:])) }
	h.phentsize, h.phnum, h.shentsize, h.shnum, h.shstrndx = half(0), half(1), half(2), half(3), half(4)
	return h, nil
}

// word reads an address-sized field at off of buf.
func (h *rawHeader) word(buf []byte, off int64) uint64 {
	if h.layout.word == 4 {
		return uint64(h.order.Uint32(buf[off:]))
	}
	return h.order.Uint64(buf[off:])
}
