package breakcheck

import (
	"bytes"
	"debug/elf"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/internal/fixtures"
)

// TestDamagedBinaries: damage never panics (doctorWith fails on a
// finding.PanicError); it yields a finding or a CheckError, never a silent
// clean report.
func TestDamagedBinaries(t *testing.T) {
	good, err := os.ReadFile(fixtures.Build(t, "worker", fixtures.NoOpt))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		damage func([]byte) []byte
	}{
		{"empty", func([]byte) []byte { return nil }},
		{"not elf", func(b []byte) []byte { return []byte("#!/bin/sh\necho hi\n") }},
		{"truncated half", func(b []byte) []byte { return b[:len(b)/2] }},
		{"bad section offset", func(b []byte) []byte { return damageSection(t, b, ".debug_info", 0, 0xff) }},
		{"zeroed debug_info", func(b []byte) []byte { return damageSection(t, b, ".debug_info", 0, 0) }},
		{"zeroed debug_abbrev", func(b []byte) []byte { return damageSection(t, b, ".debug_abbrev", 0, 0) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bin")
			if err := os.WriteFile(path, tc.damage(slices.Clone(good)), 0o755); err != nil {
				t.Fatal(err)
			}
			rep := doctorWith(t, NewInput(path), Options{Breaks: []string{"main.go:3", "main.main"}})
			if len(rep.Errors) == 0 && len(rep.Findings) == 0 {
				t.Errorf("damaged binary gives a clean report")
			}
			for _, e := range rep.Errors {
				var ce *finding.CheckError
				if !errors.As(e, &ce) || ce.Err == nil {
					t.Errorf("error %v is not a finding.CheckError", e)
				}
			}
		})
	}
}

// damageSection overwrites the first 64 bytes of a section's file data
// with fill, or the section's offset in its header when fill is 0xff.
func damageSection(t *testing.T, b []byte, name string, at int, fill byte) []byte {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Section(name)
	if s == nil {
		t.Fatalf("no section %s", name)
	}
	if fill == 0xff {
		// Point the section past the end of the file.
		for i := range f.Sections {
			if f.Sections[i] == s {
				hdr := int(shoffOf(b)) + i*64 + 24 // Elf64_Shdr.sh_offset
				f.ByteOrder.PutUint64(b[hdr:], uint64(len(b))+0x1000)
			}
		}
		return b
	}
	for i := 0; i < 64 && int(s.Offset)+at+i < len(b); i++ {
		b[int(s.Offset)+at+i] = fill
	}
	return b
}
