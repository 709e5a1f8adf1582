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
// section or in the ELF and section headers, optionally truncated — and
// runs every check, the --break questions and every renderer. Nothing may
// panic: a check that does is recovered as a finding.PanicError, and the
// target fails on it with its stack; the doctor must return a report.
func FuzzDoctor(f *testing.F) {
	// section index (0 = ELF header, 255 = section header table), offset
	// into it, bytes written there, truncation point (0 = none), options.
	f.Add(uint8(0), uint32(0x10), []byte{0x03, 0x00}, uint32(0), uint8(0))
	f.Add(uint8(0), uint32(0x28), []byte{0xff, 0xff, 0xff}, uint32(0), uint8(1))
	f.Add(uint8(255), uint32(24), []byte{0x00, 0x00, 0x10}, uint32(0), uint8(0))
	f.Add(uint8(20), uint32(0), []byte{0xde, 0xad, 0xbe, 0xef}, uint32(0), uint8(1))
	f.Add(uint8(22), uint32(11), []byte{0x05, 0x00, 0x01}, uint32(0), uint8(0))
	f.Add(uint8(25), uint32(4), bytes.Repeat([]byte{0x41}, 32), uint32(0), uint8(1))
	f.Add(uint8(1), uint32(0), []byte{}, uint32(4096), uint8(1))
	f.Add(uint8(3), uint32(0), []byte{}, uint32(1<<20), uint8(0))
	f.Fuzz(func(t *testing.T, sec uint8, off uint32, data []byte, trunc uint32, opts uint8) {
		base, sections := fuzzBinary(t)
		b := damage(base, sections, sec, off, data, trunc)
		path := filepath.Join(t.TempDir(), "bin")
		if err := os.WriteFile(path, b, 0o755); err != nil {
			t.Fatal(err)
		}
		in := NewInput(path)
		defer in.Close()
		var opt Options
		if opts&1 != 0 {
			opt.Breaks = []string{"main.go:17", "main.work", "nosuch.go:1"}
		}
		rep, err := Doctor(in, dwarfcheck.BinaryChecks, opt)
		if err != nil {
			t.Fatalf("Doctor: %v", err) // only an invalid check graph may fail
		}
		failOnPanic(t, rep)
		_ = rep.ExitCode()
		renderAll(t, rep)
	})
}

// damage copies base and applies one structured change to it.
func damage(base []byte, sections []elf.SectionHeader, sec uint8, off uint32, data []byte, trunc uint32) []byte {
	b := bytes.Clone(base)
	start, size := 0, 64 // ELF header
	switch {
	case sec == 255:
		start, size = int(shoffOf(b)), len(sections)*64
	case sec > 0 && int(sec) <= len(sections):
		s := sections[sec-1]
		if s.Type != elf.SHT_NOBITS {
			start, size = int(s.Offset), int(s.FileSize)
		}
	}
	if size > 0 {
		at := start + int(off%uint32(size))
		for i := 0; i < len(data) && at+i < len(b); i++ {
			b[at+i] = data[i]
		}
	}
	if trunc > 0 && int(trunc) < len(b) {
		b = b[:trunc]
	}
	return b
}

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
	if len(b) < 0x30 {
		return 0
	}
	return binary.LittleEndian.Uint64(b[0x28:])
}
