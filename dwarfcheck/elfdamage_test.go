package dwarfcheck

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// TestDamagedELF cuts and overwrites a real binary and checks which part
// the error names. Every case also runs the checks: the one error is the
// elf-headers check's, with the same kind.
func TestDamagedELF(t *testing.T) {
	full := readFixture(t, fixtures.Build(t, "worker", fixtures.NoOpt))
	f := parseELF(t, full)
	nsec := uint64(len(f.Sections))
	shoff := binary.LittleEndian.Uint64(full[layout64.shoff:])
	names := f.Sections[shstrndx(f)]
	nameTable := "section name table (section " + strconv.Itoa(shstrndx(f)) + ")"
	// Go 1.26 writes the section headers after the program headers, older
	// linkers at the end: where a 4 KiB cut lands depends on it.
	at4K := DamageSectionHeaders
	if shoff+nsec*64 <= 4096 {
		at4K = DamageSection
	}
	past := uint64(len(full)) + 0x1000
	tests := []struct {
		name  string
		file  []byte
		want  DamageKind
		part  string // Part, when it matters
		count uint64 // Count, when it matters
	}{
		{"empty", nil, DamageEmpty, "", 0},
		{"cut in e_ident", full[:10], DamageHeader, "", 0},
		{"cut in the header", full[:40], DamageHeader, "", 0},
		{"cut in the section headers", full[:shoff+100], DamageSectionHeaders, "section header table", nsec},
		{"cut at 4 KiB", full[:4096], at4K, "", 0},
		{"cut in the section name table", full[:names.Offset+1], DamageSection, nameTable, 0},
		{"e_shoff zeroed", putWord(full, layout64.shoff, 0), DamageNoSectionTable, "", nsec},
		{"e_phoff past the end", putWord(full, layout64.phoff, past), DamageProgHeaders, "program header table", 0},
		{"section name table past the end", moveSection(t, full, f, ".shstrtab", past), DamageSection, nameTable, 0},
		{".debug_info past the end", moveSection(t, full, f, ".debug_info", past), DamageSection, "section .debug_info", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bin")
			if err := os.WriteFile(path, tc.file, 0o755); err != nil {
				t.Fatal(err)
			}
			in := NewInput(path)
			_, err := in.ELF()
			var d *DamageError
			if !errors.As(err, &d) {
				t.Fatalf("got %v, want a DamageError", err)
			}
			if d.Kind != tc.want || tc.part != "" && d.Part != tc.part || tc.count != 0 && d.Count != tc.count {
				t.Errorf("got %+v (%v), want kind %d part %q count %d", d, err, tc.want, tc.part, tc.count)
			}
			if d.Kind != DamageEmpty && d.Kind != DamageNoSectionTable && d.Size != int64(len(tc.file)) {
				t.Errorf("file size %d in the error, the file has %d", d.Size, len(tc.file))
			}
			t.Log(err)
			res := doctor(t, in)
			if len(res.Errors) != 1 || !errors.As(res.Errors[0], &d) || d.Kind != tc.want {
				t.Errorf("checks: %v, want one elf-headers error of the same kind", res.Errors)
			}
		})
	}
}

// TestIntactELF: the diagnosis finds nothing wrong with real builds, with
// and without a symbol table, position-independent or not.
func TestIntactELF(t *testing.T) {
	for _, v := range []fixtures.Variant{fixtures.NoOpt, fixtures.Stripped, fixtures.PIE} {
		in := NewInput(fixtures.Build(t, "worker", v))
		if _, err := in.ELF(); err != nil {
			t.Errorf("%s: %v", v.Name, err)
		}
		in.Close()
	}
}

// TestDamagedELF32 reads the 32-bit layout in both byte orders from
// synthetic headers: a table of ten 40-byte section headers at 0x1000 in a
// file of 0x200 bytes.
func TestDamagedELF32(t *testing.T) {
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		b := make([]byte, 0x200)
		copy(b, elf.ELFMAG)
		b[elf.EI_CLASS], b[elf.EI_VERSION] = byte(elf.ELFCLASS32), byte(elf.EV_CURRENT)
		b[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
		if order == binary.BigEndian {
			b[elf.EI_DATA] = byte(elf.ELFDATA2MSB)
		}
		order.PutUint16(b[ehdrType:], uint16(elf.ET_EXEC))
		order.PutUint16(b[ehdrMachine:], uint16(elf.EM_386))
		order.PutUint32(b[layout32.shoff:], 0x1000)
		half := layout32.phentsize
		order.PutUint16(b[half+4:], 40) // e_shentsize
		order.PutUint16(b[half+6:], 10) // e_shnum
		order.PutUint16(b[half+8:], 1)  // e_shstrndx
		d := diagnoseLayout(bytes.NewReader(b), int64(len(b)))
		if d == nil || d.Kind != DamageSectionHeaders || d.Offset != 0x1000 || d.Need != 400 || d.Count != 10 {
			t.Errorf("%v: got %+v, want 10 section headers of 40 bytes at 0x1000", order, d)
		}
		if _, err := elf.NewFile(bytes.NewReader(b)); err == nil {
			t.Errorf("%v: debug/elf opens the synthetic file: the case tests nothing", order)
		}
	}
}

func readFixture(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseELF(t *testing.T, b []byte) *elf.File {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// putWord returns a copy of the little-endian ELF64 file b with the 8-byte
// field at off set to v.
func putWord(b []byte, off int64, v uint64) []byte {
	c := slices.Clone(b)
	binary.LittleEndian.PutUint64(c[off:], v)
	return c
}

// moveSection returns a copy of b whose section name's sh_offset is off.
func moveSection(t *testing.T, b []byte, f *elf.File, name string, off uint64) []byte {
	t.Helper()
	i := slices.IndexFunc(f.Sections, func(s *elf.Section) bool { return s.Name == name })
	if i < 0 {
		t.Fatalf("no section %s", name)
	}
	shoff := binary.LittleEndian.Uint64(b[layout64.shoff:])
	return putWord(b, int64(shoff)+int64(i)*64+layout64.shOffset, off)
}

func shstrndx(f *elf.File) int {
	return slices.IndexFunc(f.Sections, func(s *elf.Section) bool { return s.Name == ".shstrtab" })
}
