package breakcheck

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/finding/report"
	"github.com/dlvx/dlvx/internal/fixtures"
)

var (
	fuzzBaseOnce sync.Once
	fuzzBase     []byte
	fuzzSections []elf.SectionHeader
	fuzzErr      error
)

// fuzzBinary returns a -N -l build of the worker fixture and its sections.
func fuzzBinary(t testing.TB) ([]byte, []elf.SectionHeader) {
	fuzzBaseOnce.Do(func() {
		var path string
		if path, fuzzErr = fixtures.BuildErr("worker", fixtures.NoOpt); fuzzErr != nil {
			return
		}
		if fuzzBase, fuzzErr = os.ReadFile(path); fuzzErr != nil {
			return
		}
		var f *elf.File
		if f, fuzzErr = elf.NewFile(bytes.NewReader(fuzzBase)); fuzzErr != nil {
			return
		}
		for _, s := range f.Sections {
			fuzzSections = append(fuzzSections, s.SectionHeader)
		}
	})
	if fuzzErr != nil {
		t.Fatal(fuzzErr)
	}
	return fuzzBase, fuzzSections
}

// FuzzDoctor damages a real binary — bytes overwritten inside a chosen
// region (the ELF header, a header table, a section), optionally cut
// inside that region — and runs every check, the --break questions and
// every renderer. Nothing may panic: a check that does is recovered as a
// finding.PanicError, and the target fails on it with its stack; the
// doctor must return a report.
//
// The seed corpus, testdata/fuzz/FuzzDoctor, holds real damage at the
// places that matter (section headers, .debug_info, .gopclntab, build
// information, cuts in each). Regions are picked by name (fuzzRegions), so
// a seed damages the same part whatever the toolchain's section order;
// TestDamagedBinaries replays the seeds and asserts what each must yield.
func FuzzDoctor(f *testing.F) {
	// The inputs: a region, an offset into it, the bytes written there, a
	// cut (0 = none, else the file ends cut-1 bytes into the region) and
	// options (bit 0: ask the --break questions).
	f.Fuzz(func(t *testing.T, region uint8, off uint32, data []byte, cut uint32, opts uint8) {
		base, sections := fuzzBinary(t)
		b := damage(base, sections, region, off, data, cut)
		path := filepath.Join(t.TempDir(), "bin")
		if err := os.WriteFile(path, b, 0o755); err != nil {
			t.Fatal(err)
		}
		rep := fuzzDoctor(t, path, opts)
		failOnPanic(t, rep)
		_ = rep.ExitCode()
		renderAll(t, rep)
	})
}

// fuzzDoctor runs every check and, when opts asks, the --break questions.
func fuzzDoctor(t *testing.T, path string, opts uint8) *finding.Report {
	in := NewInput(path)
	defer in.Close()
	in.ForeignDlv = nil
	var opt Options
	if opts&1 != 0 {
		opt.Breaks = []string{"main.go:17", "main.work", "nosuch.go:1"}
	}
	rep, err := Doctor(in, dwarfcheck.BinaryChecks, opt)
	if err != nil {
		t.Fatalf("Doctor: %v", err) // only an invalid check graph may fail
	}
	return rep
}

// fuzzRegions are the parts of the binary a fuzz input's region byte
// names first; larger values pick sections by position.
var fuzzRegions = []string{
	"ELF header", "program headers", "section headers",
	".text", ".gopclntab", ".go.buildinfo", ".debug_info", ".debug_abbrev",
	".debug_line", ".debug_addr", ".symtab", ".shstrtab", ".note.go.buildid",
}

// damage copies base and applies one structured change to it: data written
// at off (modulo the region's size) into region, then the file cut inside
// the region when cut is not 0.
func damage(base []byte, sections []elf.SectionHeader, region uint8, off uint32, data []byte, cut uint32) []byte {
	b := bytes.Clone(base)
	start, size := regionOf(b, sections, region)
	if size > 0 {
		at := start + int(off%uint32(size))
		for i := 0; i < len(data) && at+i < len(b); i++ {
			b[at+i] = data[i]
		}
	}
	if cut > 0 {
		end := start + int((cut-1)%uint32(size+1))
		if end < len(b) {
			b = b[:end]
		}
	}
	return b
}

// regionOf returns where a fuzz region is in the little-endian ELF64 file b.
func regionOf(b []byte, sections []elf.SectionHeader, region uint8) (start, size int) {
	name := ""
	if int(region) < len(fuzzRegions) {
		name = fuzzRegions[region]
	} else if len(sections) > 0 {
		name = sections[(int(region)-len(fuzzRegions))%len(sections)].Name
	}
	switch name {
	case "ELF header":
		return 0, elf64HeaderSize
	case "program headers":
		return int(binary.LittleEndian.Uint64(b[elf64Phoff:])), elf64ProgHeaderSize * int(binary.LittleEndian.Uint16(b[elf64Phnum:]))
	case "section headers":
		return int(shoffOf(b)), elf64SectionHeaderSize * len(sections)
	}
	for _, s := range sections {
		if s.Name == name && s.Type != elf.SHT_NOBITS {
			return int(s.Offset), int(s.FileSize)
		}
	}
	return 0, elf64HeaderSize // a section this build lacks: the ELF header
}

// The ELF64 layout the fuzz damage and the damage tests address (System V
// gABI): header field offsets and table entry sizes.
const (
	elf64HeaderSize        = 64
	elf64Phoff             = 0x20 // e_phoff
	elf64Shoff             = 0x28 // e_shoff
	elf64Phnum             = 0x38 // e_phnum
	elf64ProgHeaderSize    = 56
	elf64SectionHeaderSize = 64
	elf64ShOffset          = 0x18 // sh_offset in a section header
)

func renderAll(t *testing.T, rep *finding.Report) {
	for _, fd := range rep.Findings {
		if fd.ID == "" || fd.Title == "" || fd.Severity < finding.SevInfo {
			t.Errorf("malformed finding %+v", fd)
		}
	}
	for _, e := range rep.Errors {
		if e.Err == nil {
			t.Errorf("check %s failed with a nil error", e.Check)
		}
	}
	if err := report.Text(io.Discard, rep, report.TextOptions{Verbose: true}); err != nil {
		t.Error(err)
	}
	if err := report.JSON(io.Discard, rep); err != nil {
		t.Error(err)
	}
	if err := report.SARIF(io.Discard, rep); err != nil {
		t.Error(err)
	}
}

// shoffOf reads e_shoff of a little-endian ELF64 file.
func shoffOf(b []byte) uint64 {
	if len(b) < elf64Shoff+8 {
		return 0
	}
	return binary.LittleEndian.Uint64(b[elf64Shoff:])
}
