package breakcheck

import (
	"bytes"
	"debug/elf"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/dwarfcheck"
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
			checkDamageReported(t, rep)
		})
	}
}

// seedDamage is what the doctor must say about some of FuzzDoctor's seeds:
// the kind of DamageError the elf-headers check fails with.
var seedDamage = map[string]dwarfcheck.DamageKind{
	"empty-file":             dwarfcheck.DamageEmpty,
	"cut-in-elf-header":      dwarfcheck.DamageHeader,
	"cut-in-section-headers": dwarfcheck.DamageSectionHeaders,
	"cut-in-text":            dwarfcheck.DamageSection,
	"cut-in-gopclntab":       dwarfcheck.DamageSection,
	"cut-in-buildinfo":       dwarfcheck.DamageSection,
	"cut-in-debug-info":      dwarfcheck.DamageSection,
	"zero-shoff":             dwarfcheck.DamageNoSectionTable,
	"phoff-past-end":         dwarfcheck.DamageProgHeaders,
}

// seedFinding are seeds whose damage leaves the file readable: the finding
// the doctor must give for each.
var seedFinding = map[string]string{
	"etype-rel":       "BP-NOTEXEC",
	"gopclntab-magic": "BP-PCLNTAB-DAMAGED",
	"gopclntab-body":  "BP-PCLNTAB-DAMAGED",
}

// TestDamagedSeeds replays FuzzDoctor's seed corpus: every seed is real
// damage, so none may give a clean report, and the cut files must name
// what was cut.
func TestDamagedSeeds(t *testing.T) {
	base, sections := fuzzBinary(t)
	dir := filepath.Join("testdata", "fuzz", "FuzzDoctor")
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) == 0 {
		t.Fatalf("no seed corpus in %s: %v", dir, err)
	}
	for _, e := range ents {
		t.Run(e.Name(), func(t *testing.T) {
			s := readSeed(t, filepath.Join(dir, e.Name()))
			path := filepath.Join(t.TempDir(), "bin")
			if err := os.WriteFile(path, damage(base, sections, s.region, s.off, s.data, s.cut), 0o755); err != nil {
				t.Fatal(err)
			}
			rep := fuzzDoctor(t, path, s.opts)
			t.Logf("findings %v, errors %v", findingIDs(rep.Findings), rep.Errors)
			failOnPanic(t, rep)
			checkDamageReported(t, rep)
			if id, ok := seedFinding[e.Name()]; ok && !slices.Contains(findingIDs(rep.Findings), id) {
				t.Errorf("findings %v, want %s", findingIDs(rep.Findings), id)
			}
			want, ok := seedDamage[e.Name()]
			if !ok {
				return
			}
			var d *dwarfcheck.DamageError
			if len(rep.Errors) == 0 || !errors.As(rep.Errors[0], &d) || d.Kind != want {
				t.Errorf("errors %v, want a DamageError of kind %d first", rep.Errors, want)
			}
		})
	}
	var listed []string
	for name := range seedDamage {
		listed = append(listed, name)
	}
	for name := range seedFinding {
		listed = append(listed, name)
	}
	for _, name := range listed {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s is not in the corpus", name)
		}
	}
}

// checkDamageReported fails unless the checks of rep gave a finding or a
// CheckError (a --break verdict on a missing file says nothing about the
// damage).
func checkDamageReported(t *testing.T, rep *finding.Report) {
	t.Helper()
	if len(rep.Errors) == 0 && len(rep.Findings) == 0 {
		t.Errorf("damaged binary gives a clean report")
	}
	for _, e := range rep.Errors {
		var ce *finding.CheckError
		if !errors.As(e, &ce) || ce.Err == nil {
			t.Errorf("error %v is not a finding.CheckError", e)
		}
	}
}

// A seed is one entry of FuzzDoctor's corpus.
type seed struct {
	region uint8
	off    uint32
	data   []byte
	cut    uint32
	opts   uint8
}

// readSeed decodes a corpus file in the "go test fuzz v1" encoding, for
// FuzzDoctor's argument types.
func readSeed(t *testing.T, path string) seed {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 6 || lines[0] != "go test fuzz v1" {
		t.Fatalf("%s: not a FuzzDoctor corpus entry", path)
	}
	arg := func(i int, typ string) string {
		v, ok := strings.CutPrefix(lines[i], typ+"(")
		if !ok || !strings.HasSuffix(v, ")") {
			t.Fatalf("%s line %d: want %s(...), got %q", path, i+1, typ, lines[i])
		}
		return strings.TrimSuffix(v, ")")
	}
	num := func(i int, typ string, bits int) uint64 {
		n, err := strconv.ParseUint(arg(i, typ), 0, bits)
		if err != nil {
			t.Fatalf("%s line %d: %v", path, i+1, err)
		}
		return n
	}
	data, err := strconv.Unquote(arg(3, "[]byte"))
	if err != nil {
		t.Fatalf("%s line 4: %v", path, err)
	}
	return seed{region: uint8(num(1, "uint8", 8)), off: uint32(num(2, "uint32", 32)), data: []byte(data),
		cut: uint32(num(4, "uint32", 32)), opts: uint8(num(5, "uint8", 8))}
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
				hdr := int(shoffOf(b)) + i*elf64SectionHeaderSize + elf64ShOffset
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
