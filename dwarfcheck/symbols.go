package dwarfcheck

import (
	"bytes"
	"debug/elf"
	"io"
)

// symChunk is how much of .strtab or .symtab LookupSymbols reads at once.
const symChunk = 64 << 10

// LookupSymbols returns the .symtab entries of f named one of names, by
// name. Unlike (*elf.File).Symbols, which reads both tables whole and
// makes a string per symbol (tens of MiB for a large program), it streams
// the tables in small chunks: first .strtab for the offsets of the names,
// then .symtab for the entries that point at them. It returns
// elf.ErrNoSymbols when f has no symbol table.
func LookupSymbols(f *elf.File, names ...string) (map[string][]elf.Symbol, error) {
	return lookupSymbols(f, symChunk, names)
}

// lookupSymbols is LookupSymbols reading chunk bytes at once.
func lookupSymbols(f *elf.File, chunkSize int, names []string) (map[string][]elf.Symbol, error) {
	symtab := f.Section(".symtab")
	if symtab == nil || symtab.Type != elf.SHT_SYMTAB || int(symtab.Link) >= len(f.Sections) {
		return nil, elf.ErrNoSymbols
	}
	strtab := f.Sections[symtab.Link]
	at, err := nameOffsets(strtab, chunkSize, names)
	if err != nil {
		return nil, err
	}
	out := map[string][]elf.Symbol{}
	if len(at) == 0 {
		return out, nil
	}
	size := 24
	if f.Class == elf.ELFCLASS32 {
		size = 16
	}
	chunk := make([]byte, max(chunkSize/size, 1)*size)
	r := symtab.Open()
	for first := true; ; first = false {
		n, err := io.ReadFull(r, chunk)
		for i := 0; i+size <= n; i += size {
			if first && i == 0 {
				continue // entry 0 is the undefined symbol
			}
			if name, ok := at[f.ByteOrder.Uint32(chunk[i:])]; ok {
				out[name] = append(out[name], decodeSymbol(f, chunk[i:i+size], name))
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return out, nil
		}
		if err != nil {
			return out, &SectionError{Section: symtab.Name, Offset: int64(symtab.Offset), Err: err}
		}
	}
}

// nameOffsets returns the offsets in strtab of the NUL-terminated strings
// equal to one of names. A symbol may point into the middle of a longer
// string (tail merging), so a match need not follow a NUL.
func nameOffsets(strtab *elf.Section, chunkSize int, names []string) (map[uint32]string, error) {
	longest := 0
	for _, n := range names {
		longest = max(longest, len(n)+1)
	}
	at := map[uint32]string{}
	r := strtab.Open()
	buf := make([]byte, 0, chunkSize+longest)
	base := 0 // offset of buf[0] in strtab
	for {
		n, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		for _, name := range names {
			pat := append([]byte(name), 0)
			for from := 0; ; {
				i := bytes.Index(buf[from:], pat)
				if i < 0 {
					break
				}
				at[uint32(base+from+i)] = name
				from += i + 1
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return at, nil
		}
		if err != nil {
			return nil, &SectionError{Section: strtab.Name, Offset: int64(strtab.Offset) + int64(base), Err: err}
		}
		// Keep the tail that may hold the start of a match cut by the
		// chunk's end; a match wholly inside it is found again at the
		// same offset.
		keep := min(longest-1, len(buf))
		base += len(buf) - keep
		copy(buf, buf[len(buf)-keep:])
		buf = buf[:keep]
	}
}

// decodeSymbol decodes one .symtab entry.
func decodeSymbol(f *elf.File, b []byte, name string) elf.Symbol {
	o := f.ByteOrder
	if f.Class == elf.ELFCLASS32 {
		return elf.Symbol{Name: name, Value: uint64(o.Uint32(b[4:])), Size: uint64(o.Uint32(b[8:])),
			Info: b[12], Other: b[13], Section: elf.SectionIndex(o.Uint16(b[14:]))}
	}
	return elf.Symbol{Name: name, Info: b[4], Other: b[5], Section: elf.SectionIndex(o.Uint16(b[6:])),
		Value: o.Uint64(b[8:]), Size: o.Uint64(b[16:])}
}
