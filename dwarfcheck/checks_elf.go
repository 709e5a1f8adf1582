package dwarfcheck

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/preempt"
)

// ELFHeaders reads the ELF header; every other check requires it.
var ELFHeaders = &Check{
	Name: "elf-headers",
	Doc:  "read the ELF header and section table\n\nFails when the file is not an ELF executable; nothing else can run then.",
	Run:  elfHeaders,
}

func elfHeaders(in *Input) ([]finding.Finding, error) {
	_, err := in.ELF()
	return nil, err
}

// DWARFPresent reports binaries without DWARF, and tells a binary whose
// functions still bind through the Go function table from a blind one.
var DWARFPresent = &Check{
	Name:     "dwarf-present",
	Doc:      "report binaries without DWARF\n\nReads the section table: -w, -s, strip and go run all remove .debug_info. For such binaries it asks Delve whether main.main can still be found.",
	Requires: []*Check{GoBinary},
	Run:      dwarfPresent,
}

var goRunPath = regexp.MustCompile(`/go-build[0-9]+/b[0-9]+/exe/`)

func dwarfPresent(in *Input) ([]finding.Finding, error) {
	f, _ := in.ELF()
	if HasDebugInfo(f) {
		return nil, nil
	}
	if _, _, ok := debugLink(f); ok {
		// The separate-debug check owns binaries that point to a debug file.
		return nil, nil
	}
	sections := finding.EvidenceAt("elf:section-headers", shoff(in), "no .debug_info or .zdebug_info section")
	fs := []finding.Finding{}
	if goRunPath.MatchString(filepath.ToSlash(in.Path)) {
		fs = append(fs, finding.New("BP-NODWARF-GORUN", finding.Evidencef("path", "%s is in the go command's build cache", in.Path), sections))
		fs[0].Fixes = RebuildFixes(in)
		return fs, nil
	}
	evs := []finding.Evidence{sections}
	if f.Section(".symtab") == nil {
		evs = append(evs, finding.Evidencef("elf:section-headers", "no .symtab section (-s or strip)"))
	}
	if bi, err := in.BuildInfo(); err == nil {
		if v, ok := Setting(bi, "-ldflags"); ok {
			evs = append(evs, finding.Evidencef("buildinfo", "-ldflags=%q", v))
		}
	}
	id := "BP-NODWARF"
	if blind, e := functionTableUnusable(in); blind {
		id = "BP-NODWARF-BLIND"
		evs = append(evs, e)
	}
	fd := finding.New(id, evs...)
	fd.Fixes = RebuildFixes(in)
	return append(fs, fd), nil
}

// functionTableUnusable loads the stripped binary with Delve (cheap without
// DWARF) and reports whether main.main can be found. Without Delve's
// function table (in.Funcs nil) it cannot tell, and says usable.
func functionTableUnusable(in *Input) (bool, finding.Evidence) {
	if in.Funcs == nil {
		return false, finding.Evidence{}
	}
	found, n, err := in.Funcs.FindMain()
	if err != nil {
		return true, finding.Evidencef("delve:load", "delve cannot load the binary: %v", err)
	}
	if !found {
		return true, finding.Evidencef("delve:functions", "main.main not found in the Go function table (%d functions known)", n)
	}
	return false, finding.Evidence{}
}

// RebuildFixes suggests a debug build of the binary's main package.
func RebuildFixes(in *Input) []finding.Fix {
	pkg := "."
	if bi, err := in.BuildInfo(); err == nil && bi.Path != "" && bi.Path != "command-line-arguments" {
		pkg = bi.Path
	}
	out := filepath.Base(in.Path) + "-debug"
	return []finding.Fix{
		finding.RebuildFix("rebuild with DWARF and without optimizations", finding.Build{Out: out, Pkg: pkg}),
		{Summary: "let dlvx build it", Command: []string{"dlvx", "debug", pkg},
			Editor: `or let Delve build it: "mode": "debug" in launch.json, "program" the main package's directory`},
	}
}

// shoff returns the file offset of the section header table (e_shoff),
// or -1 when it cannot be read.
func shoff(in *Input) int64 {
	fh, err := os.Open(in.Path)
	if err != nil {
		return -1
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return -1
	}
	h, err := readRawHeader(fh, st.Size())
	if err != nil {
		return -1
	}
	return int64(h.shoff)
}

// rawAt reads n bytes of the file at path at offset off.
func rawAt(path string, off int64, n int) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	buf := make([]byte, n)
	if _, err := fh.ReadAt(buf, off); err != nil {
		return nil, fmt.Errorf("read %d bytes at %#x: %w", n, off, err)
	}
	return buf, nil
}

// CompressedDWARF reports DWARF sections that cannot be decompressed.
var CompressedDWARF = &Check{
	Name:     "compressed-dwarf",
	Doc:      "report compressed DWARF that cannot be read\n\nReads the compression header (Chdr) of every SHF_COMPRESSED .debug_* section and the magic of legacy .zdebug_* sections.",
	Requires: []*Check{GoBinary},
	Run:      compressedDWARF,
}

func compressedDWARF(in *Input) ([]finding.Finding, error) {
	f, _ := in.ELF()
	var evs []finding.Evidence
	for _, s := range f.Sections {
		switch {
		case strings.HasPrefix(s.Name, ".debug_") && s.Flags&elf.SHF_COMPRESSED != 0:
			if s.Type == elf.SHT_NOBITS {
				continue
			}
			ct, err := chdrType(in.Path, f, s)
			if err != nil {
				evs = append(evs, finding.EvidenceAt("elf:"+s.Name, int64(s.Offset), "unreadable compression header: %v", err))
			} else if ct != elf.COMPRESS_ZLIB && ct != elf.COMPRESS_ZSTD {
				evs = append(evs, finding.EvidenceAt("elf:"+s.Name, int64(s.Offset), "compression type %d (only zlib=1 and zstd=2 are readable)", ct))
			}
		case strings.HasPrefix(s.Name, ".zdebug_"):
			if magic, err := rawAt(in.Path, int64(s.Offset), 4); err != nil || string(magic) != "ZLIB" {
				evs = append(evs, finding.EvidenceAt("elf:"+s.Name, int64(s.Offset), "legacy compressed section without the ZLIB magic"))
			}
		}
	}
	if len(evs) == 0 {
		return nil, nil
	}
	fd := finding.New("BP-ZDEBUG", evs...)
	fd.Fixes = RebuildFixes(in)
	return []finding.Finding{fd}, nil
}

// chdrType reads the ch_type field of a compressed section's header.
func chdrType(path string, f *elf.File, s *elf.Section) (elf.CompressionType, error) {
	buf, err := rawAt(path, int64(s.Offset), chdrTypeSize)
	if err != nil {
		return 0, err
	}
	return elf.CompressionType(f.ByteOrder.Uint32(buf)), nil
}

// Architecture reports binaries this machine cannot run or trace.
var Architecture = &Check{
	Name:     "architecture",
	Doc:      "compare the binary's architecture with this machine's\n\nReads e_machine from the ELF header.",
	Requires: []*Check{GoBinary},
	Run:      architecture,
}

func architecture(in *Input) ([]finding.Finding, error) {
	f, _ := in.ELF()
	arch := preempt.GOARCH(&f.FileHeader)
	host := in.hostArch()
	if arch == host {
		return nil, nil
	}
	name := arch
	if arch == "" {
		name = "not a Go architecture"
	}
	fd := finding.New("ENV-ARCH",
		finding.EvidenceAt("elf:header", ehdrMachine, "e_machine %v (%s)", f.Machine, name),
		finding.Evidencef("host", "this machine is %s", host))
	fd.Fixes = []finding.Fix{finding.RebuildFix("build for this machine", finding.Build{Env: []string{"GOARCH=" + host}})}
	return []finding.Finding{fd}, nil
}

// PIE reports position-independent executables (informational).
var PIE = &Check{
	Name:     "pie",
	Doc:      "report position-independent executables\n\nReads e_type: ET_DYN means the load address changes at every run.",
	Requires: []*Check{GoBinary},
	Run:      pie,
}

func pie(in *Input) ([]finding.Finding, error) {
	f, _ := in.ELF()
	if f.Type != elf.ET_DYN {
		return nil, nil
	}
	evs := []finding.Evidence{finding.EvidenceAt("elf:header", ehdrType, "e_type ET_DYN")}
	if bi, err := in.BuildInfo(); err == nil {
		if v, ok := Setting(bi, "-buildmode"); ok {
			evs = append(evs, finding.Evidencef("buildinfo", "-buildmode=%s", v))
		}
	}
	return []finding.Finding{finding.New("BP-PIE", evs...)}, nil
}

// debugLink returns the file name and CRC recorded in .gnu_debuglink.
func debugLink(f *elf.File) (name string, crc uint32, ok bool) {
	s := f.Section(".gnu_debuglink")
	if s == nil {
		return "", 0, false
	}
	data, err := s.Data()
	if err != nil {
		return "", 0, false
	}
	zero := strings.IndexByte(string(data), 0)
	if zero <= 0 || len(data) < zero+1+4 {
		return "", 0, false
	}
	return string(data[:zero]), binary.LittleEndian.Uint32(data[len(data)-4:]), true
}

// gnuBuildID returns the hex GNU build ID, or "".
func gnuBuildID(f *elf.File) string {
	s := f.Section(".note.gnu.build-id")
	if s == nil {
		return ""
	}
	data, err := s.Data()
	if err != nil || len(data) < noteHeaderSize+4 {
		return ""
	}
	namesz := f.ByteOrder.Uint32(data[0:4])
	descsz := f.ByteOrder.Uint32(data[4:8])
	start := noteHeaderSize + int((namesz+3)&^3)
	if start < noteHeaderSize || start+int(descsz) > len(data) || descsz == 0 {
		return ""
	}
	return fmt.Sprintf("%x", data[start:start+int(descsz)])
}
