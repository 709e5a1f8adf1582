package corecheck

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
)

// A synthNote is one note of a synthetic core.
type synthNote struct {
	name string
	typ  elf.NType
	desc []byte
}

// synthLoad is one PT_LOAD of a synthetic core: data is its contents.
type synthLoad struct {
	vaddr   uint64
	memsize uint64
	data    []byte
}

// synthCore builds a little-endian ELF64 core for x86-64 with one PT_NOTE
// segment holding notes, then the loads' contents, in that order, the
// layout the kernel writes.
func synthCore(notes []synthNote, loads []synthLoad) []byte {
	le := binary.LittleEndian
	var nb bytes.Buffer
	for _, n := range notes {
		name := append([]byte(n.name), 0)
		var h [12]byte
		le.PutUint32(h[0:], uint32(len(name)))
		le.PutUint32(h[4:], uint32(len(n.desc)))
		le.PutUint32(h[8:], uint32(n.typ))
		nb.Write(h[:])
		nb.Write(pad4(name))
		nb.Write(pad4(n.desc))
	}
	phnum := 1 + len(loads)
	off := uint64(64 + 56*phnum)
	hdr := make([]byte, 64)
	copy(hdr, elf.ELFMAG)
	hdr[elf.EI_CLASS], hdr[elf.EI_DATA], hdr[elf.EI_VERSION] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), 1
	le.PutUint16(hdr[16:], uint16(elf.ET_CORE))
	le.PutUint16(hdr[18:], uint16(elf.EM_X86_64))
	le.PutUint32(hdr[20:], 1)
	le.PutUint64(hdr[32:], 64)
	le.PutUint16(hdr[52:], 64)
	le.PutUint16(hdr[54:], 56)
	le.PutUint16(hdr[56:], uint16(phnum))
	ph := func(typ elf.ProgType, off, vaddr, filesz, memsz uint64) []byte {
		p := make([]byte, 56)
		le.PutUint32(p[0:], uint32(typ))
		le.PutUint32(p[4:], uint32(elf.PF_R))
		le.PutUint64(p[8:], off)
		le.PutUint64(p[16:], vaddr)
		le.PutUint64(p[32:], filesz)
		le.PutUint64(p[40:], memsz)
		return p
	}
	var out bytes.Buffer
	out.Write(hdr)
	out.Write(ph(elf.PT_NOTE, off, 0, uint64(nb.Len()), 0))
	data := off + uint64(nb.Len())
	for _, l := range loads {
		out.Write(ph(elf.PT_LOAD, data, l.vaddr, uint64(len(l.data)), l.memsize))
		data += uint64(len(l.data))
	}
	out.Write(nb.Bytes())
	for _, l := range loads {
		out.Write(l.data)
	}
	return out.Bytes()
}

func pad4(b []byte) []byte { return append(b, make([]byte, align4(len(b))-len(b))...) }

// prstatus returns an x86-64 NT_PRSTATUS descriptor for thread tid.
func prstatus(tid int, sig int) []byte {
	d := make([]byte, 336)
	binary.LittleEndian.PutUint16(d[12:], uint16(sig))
	binary.LittleEndian.PutUint32(d[32:], uint32(tid))
	return d
}

// ntFileDesc returns an NT_FILE descriptor with one mapping per file.
func ntFileDesc(files ...MappedFile) []byte {
	le := binary.LittleEndian
	d := make([]byte, 16+24*len(files))
	le.PutUint64(d, uint64(len(files)))
	le.PutUint64(d[8:], 4096)
	for i, f := range files {
		le.PutUint64(d[16+24*i:], f.Start)
		le.PutUint64(d[24+24*i:], f.End)
		le.PutUint64(d[32+24*i:], f.PageOff)
	}
	for _, f := range files {
		d = append(append(d, f.Path...), 0)
	}
	return d
}
