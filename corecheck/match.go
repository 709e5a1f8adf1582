package corecheck

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dlvx/dlvx/finding"
)

func checkExe(in *Input) ([]finding.Finding, error) {
	c, src := in.core, in.CorePath
	named, ev := "", finding.Evidence{}
	if m, ok := c.ExeMapping(); ok {
		named, ev = m.Path, finding.Evidencef(src, "NT_FILE maps %s at %#x (its program headers)", m.Path, m.Start)
	} else if a := argv0(c.Proc); a != "" {
		named, ev = a, finding.EvidenceAt(src, c.Proc.Off, "NT_PRPSINFO: command %q (no NT_FILE note)", c.Proc.Args)
	}
	if in.ExePath != "" {
		in.exe, in.exeFrom = in.ExePath, "argument"
		if named == "" {
			return nil, nil
		}
		return []finding.Finding{finding.New("ENV-CORE-EXE", ev)}, nil
	}
	if named != "" && filepath.IsAbs(named) {
		if st, err := os.Stat(named); err == nil && st.Mode().IsRegular() {
			in.exe, in.exeFrom = named, "core"
			return []finding.Finding{finding.New("ENV-CORE-EXE", ev, finding.Evidencef(named, "exists here, %d bytes: the doctor checks it", st.Size()))}, nil
		}
	}
	f := finding.New("ENV-CORE-EXE-MISSING")
	if named != "" {
		f.Evidence = []finding.Evidence{ev, finding.Evidencef(named, "no such file here")}
	} else {
		f.Evidence = []finding.Evidence{finding.Evidencef(src, "the core names no executable (no NT_FILE, no NT_PRPSINFO)")}
	}
	f.Fixes = []finding.Fix{{Summary: "pass the executable that produced the core", Command: []string{"dlvx", "doctor", "--core", in.CorePath, "BINARY"}}}
	return []finding.Finding{f}, finding.ErrNotApplicable
}

// exeFile is the executable's ELF view, read by checkMatch.
type exeFile struct {
	f     *elf.File
	image *Image
	base  uint64 // load bias: runtime address - link-time address
	syms  map[string]uint64
}

func checkMatch(in *Input) ([]finding.Finding, error) {
	c, src := in.core, in.CorePath
	f, err := elf.Open(in.exe)
	if err != nil {
		m := finding.New("ENV-CORE-MISMATCH", finding.Evidencef(in.exe, "not an ELF executable: %v", err))
		return []finding.Finding{m}, finding.ErrNotApplicable
	}
	if f.Machine != c.Machine && c.Delve == nil {
		f.Close()
		return []finding.Finding{finding.New("ENV-CORE-ARCH", finding.EvidenceAt(src, 0x12, "core: e_machine %v", c.Machine), finding.EvidenceAt(in.exe, 0x12, "executable: e_machine %v", f.Machine))}, finding.ErrNotApplicable
	}
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		f.Close()
		return []finding.Finding{finding.New("ENV-CORE-MISMATCH", finding.EvidenceAt(in.exe, 0x10, "e_type %v: not an executable", f.Type))}, finding.ErrNotApplicable
	}
	page, err := firstPage(in.exe, c.MemPageSize())
	if err != nil {
		f.Close()
		return nil, err
	}
	want, err := ParseImage(page)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read the header of %s: %w", in.exe, err)
	}
	in.bin = &exeFile{f: f, image: want}
	got, at, err := in.coreImage(want)
	if err != nil {
		return in.weakMatch(want, err)
	}
	in.bin.base = at - lowestLoad(want)
	return in.compareImages(got, want, page, at)
}

// coreImage returns the core's copy of the executable's first page and
// the address it is mapped at: through NT_FILE, else (Delve's dumps, cores
// without NT_FILE) at the executable's own first address plus the bias
// the entry point gives.
func (in *Input) coreImage(want *Image) (*Image, uint64, error) {
	c := in.core
	im, m, err := c.ExeImage()
	if err == nil {
		return im, m.Start, nil
	}
	if len(c.Files) > 0 {
		return nil, 0, err
	}
	entry, ok := c.Aux(AtEntry)
	if c.Delve != nil {
		entry, ok = c.Delve.Entry, c.Delve.Entry != 0
	}
	if !ok {
		return nil, 0, err
	}
	at := lowestLoad(want) + (entry - want.Entry)
	buf := make([]byte, 4096)
	if err := c.ReadMemory(buf, at); err != nil {
		return nil, 0, err
	}
	im, err = ParseImage(buf)
	return im, at, err
}

// compareImages decides the match from build IDs, else from the bytes of
// the first page.
func (in *Input) compareImages(got, want *Image, page []byte, at uint64) ([]finding.Finding, error) {
	src := in.CorePath
	gotID, gotKind := got.BuildID()
	wantID, wantKind := want.BuildID()
	if gotKind != "" && gotKind == wantKind {
		off := got.GoIDOff
		if gotKind == "GNU build ID" {
			off = got.GNUIDOff
		}
		ev := []finding.Evidence{
			finding.Evidencef(src, "%s %s in the core's copy of the executable's first page (mapped at %#x, note at page offset %#x)", gotKind, gotID, at, off),
			finding.EvidenceAt(in.exe, off, "%s %s", wantKind, wantID),
		}
		if gotID == wantID {
			return []finding.Finding{finding.New("ENV-CORE-MATCH", ev...)}, nil
		}
		m := finding.New("ENV-CORE-MISMATCH", ev...)
		m.Fixes = []finding.Fix{{Summary: "find the build whose " + gotKind + " is " + gotID + " (the deployed binary, a CI artifact) and pass it as BINARY", Command: []string{"go", "tool", "buildid", "BINARY"}}}
		return []finding.Finding{m}, finding.ErrNotApplicable
	}
	core := make([]byte, len(page))
	if err := in.core.ReadMemory(core, at); err == nil && bytes.Equal(core, page) {
		return []finding.Finding{finding.New("ENV-CORE-MATCH", finding.Evidencef(src, "the core's copy of the first %d bytes of the executable (at %#x) equals %s's (neither has a build ID)", len(page), at, in.exe))}, nil
	}
	m := finding.New("ENV-CORE-MISMATCH",
		finding.Evidencef(src, "the core's copy of the executable's first page (at %#x): %s", at, describeID(gotID, gotKind)),
		finding.EvidenceAt(in.exe, 0, "%s, and the first %d bytes differ", describeID(wantID, wantKind), len(page)))
	return []finding.Finding{m}, finding.ErrNotApplicable
}

func describeID(id, kind string) string {
	if kind == "" {
		return "no build ID"
	}
	return kind + " " + id
}

// weakMatch compares what is left when the core holds no copy of the
// executable's first page: path, entry address and mapping layout.
func (in *Input) weakMatch(want *Image, why error) ([]finding.Finding, error) {
	c, src := in.core, in.CorePath
	ev := []finding.Evidence{finding.Evidencef(src, "no copy of the executable's first page: %v", why)}
	m, mapped := c.ExeMapping()
	entry, hasEntry := c.Aux(AtEntry)
	if mapped {
		in.bin.base = m.Start - lowestLoad(want)
		if want.Type == elf.ET_EXEC {
			in.bin.base = 0
		}
	}
	if hasEntry && mapped && entry-in.bin.base != want.Entry {
		f := finding.New("ENV-CORE-MISMATCH", append(ev,
			finding.Evidencef(src, "NT_AUXV: AT_ENTRY %#x (link-time %#x with the mapping at %#x)", entry, entry-in.bin.base, m.Start),
			finding.EvidenceAt(in.exe, 0x18, "e_entry %#x", want.Entry))...)
		return []finding.Finding{f}, finding.ErrNotApplicable
	}
	if mapped {
		ev = append(ev, finding.Evidencef(src, "NT_FILE path %s, BINARY %s", m.Path, in.exe))
	}
	if hasEntry {
		ev = append(ev, finding.Evidencef(src, "AT_ENTRY %#x agrees with e_entry %#x", entry, want.Entry))
	}
	if !mapped && !hasEntry {
		return []finding.Finding{finding.New("ENV-CORE-MATCH-WEAK", append(ev, finding.Evidencef(src, "no NT_FILE or NT_AUXV either: nothing to compare"))...)}, nil
	}
	return []finding.Finding{finding.New("ENV-CORE-MATCH-WEAK", ev...)}, nil
}

// lowestLoad returns the link-time address of the image's first byte.
func lowestLoad(im *Image) uint64 {
	for _, s := range im.Loads {
		if s.Off == 0 {
			return s.Vaddr
		}
	}
	if len(im.Loads) > 0 {
		return im.Loads[0].Vaddr - im.Loads[0].Off
	}
	return 0
}

// firstPage reads the first page of the executable, as many bytes as the
// kernel copies into a core.
func firstPage(path string, size uint64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, size)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return buf[:n], nil
}
