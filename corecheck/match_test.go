package corecheck

import (
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dlvx/dlvx/finding"
)

// synthFor returns a synthetic core of exe (this test binary): NT_FILE
// maps it at its link address, NT_AUXV gives entry, and the first load
// holds page as the copy of its first page (nil: no contents).
func synthFor(t *testing.T, exe string, entry uint64, page []byte) string {
	t.Helper()
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var start uint64
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Off == 0 {
			start = p.Vaddr
		}
	}
	auxv := make([]byte, 32)
	binary.LittleEndian.PutUint64(auxv, AtEntry)
	binary.LittleEndian.PutUint64(auxv[8:], entry)
	notes := []synthNote{
		{"CORE", elf.NT_PRSTATUS, prstatus(1, 11)},
		{"CORE", ntAuxv, auxv},
		{"CORE", ntFile, ntFileDesc(MappedFile{Start: start, End: start + 0x10000, Path: exe})},
	}
	core := filepath.Join(t.TempDir(), "core")
	if err := os.WriteFile(core, synthCore(notes, []synthLoad{{start, 0x10000, page}}), 0o600); err != nil {
		t.Fatal(err)
	}
	return core
}

func coreFindingIDs(t *testing.T, core, exe string) []string {
	t.Helper()
	in := &Input{CorePath: core, ExePath: exe}
	defer in.Close()
	rep, err := Doctor(in, []*Check{Format, Complete, Notes, Exe, Match}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) > 0 {
		t.Fatalf("checks failed: %v", rep.Errors)
	}
	var ids []string
	for _, f := range rep.Findings {
		if f.Severity > finding.SevInfo || f.ID == "ENV-CORE-MATCH" {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

// TestMatch: the executable is matched by the build ID in the core's copy
// of its first page; without that copy, by the entry address.
func TestMatch(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	entry := f.Entry
	f.Close()
	page, err := firstPage(exe, 4096)
	if err != nil {
		t.Fatal(err)
	}
	im, err := ParseImage(page)
	if err != nil || im.GoBuildID == "" {
		t.Fatalf("this test binary's first page has no Go build ID: %+v, %v", im, err)
	}
	other := slices.Clone(page)
	other[im.GoIDOff+16]++ // the first byte of the build ID string
	cases := []struct {
		name  string
		entry uint64
		page  []byte
		want  []string
	}{
		{"same-build", entry, page, []string{"ENV-CORE-MATCH"}},
		{"other-build-id", entry, other, []string{"ENV-CORE-MISMATCH"}},
		{"no-page-entry-agrees", entry, nil, []string{"ENV-CORE-MATCH-WEAK"}},
		{"no-page-entry-differs", entry + 0x40, nil, []string{"ENV-CORE-MISMATCH"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := coreFindingIDs(t, synthFor(t, exe, tc.entry, tc.page), exe)
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings %v, want %v", got, tc.want)
			}
		})
	}
}
