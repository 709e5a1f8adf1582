package dwarfcheck

import (
	"debug/elf"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/dlvx/dlvx/finding"
)

// SeparateDebug follows .gnu_debuglink and the GNU build ID the way Delve
// does, and reports a debug file that is missing or belongs to another build.
var SeparateDebug = &Check{
	Name:     "separate-debug",
	Doc:      "find the separate debug file of a stripped binary\n\nSearches, in Delve's order, the build-id tree, the binary's directory, its .debug subdirectory and every debug-info directory, and compares the CRC32 recorded in .gnu_debuglink.",
	Requires: []*Check{GoBinary},
	Run:      separateDebug,
}

// sepDebug is the outcome of the search for a separate debug file.
type sepDebug struct {
	link     string   // name in .gnu_debuglink
	wantCRC  uint32   // CRC in .gnu_debuglink
	buildID  string   // GNU build ID, hex
	searched []string // paths tried, in order
	path     string   // the file Delve would load, or ""
	mismatch string   // a file with the right name but the wrong CRC
	gotCRC   uint32
}

func separateDebug(in *Input) ([]finding.Finding, error) {
	f, _ := in.ELF()
	if HasDebugInfo(f) {
		return nil, nil
	}
	link, crc, ok := debugLink(f)
	if !ok {
		return nil, nil
	}
	sd := findSeparateDebug(in, f, link, crc)
	linkEv := finding.Evidencef("elf:.gnu_debuglink", "%q with CRC32 %#08x", link, crc)
	if s := f.Section(".gnu_debuglink"); s != nil {
		linkEv.Offset = int64(s.Offset)
	}
	idEv := finding.Evidencef("elf:.note.gnu.build-id", "no GNU build ID: Delve cannot search the .build-id tree")
	if sd.buildID != "" {
		idEv.Fact = "GNU build ID " + sd.buildID
	}
	switch {
	case sd.path != "":
		return []finding.Finding{finding.New("BP-SEPDEBUG-FOUND", linkEv, finding.Evidencef("filesystem", "%s matches", sd.path))}, nil
	case sd.mismatch != "":
		fd := finding.New("BP-SEPDEBUG-CRC", linkEv,
			finding.Evidencef("filesystem", "%s has CRC32 %#08x", sd.mismatch, sd.gotCRC), idEv)
		fd.Fixes = []finding.Fix{
			{Summary: "produce the binary and its debug file from the same build",
				Command: []string{"sh", "-c", fmt.Sprintf("objcopy --only-keep-debug %[1]s %[2]s && objcopy --strip-debug --add-gnu-debuglink=%[2]s %[1]s", "BINARY.full", link)}},
		}
		return []finding.Finding{fd}, nil
	}
	evs := []finding.Evidence{linkEv, idEv}
	for _, p := range sd.searched {
		evs = append(evs, finding.Evidencef("filesystem", "not found: %s", p))
	}
	fd := finding.New("BP-SEPDEBUG-MISSING", evs...)
	fd.Fixes = []finding.Fix{
		{Summary: "put the debug file next to the binary", Command: []string{"cp", link, filepath.Dir(in.Path) + "/"}},
		{Summary: "or point dlvx at its directory (config debug-info-directories)", Command: nil},
	}
	fd.Fixes = append(fd.Fixes, RebuildFixes(in)[0])
	return []finding.Finding{fd}, nil
}

// findSeparateDebug searches in Delve's order (pkg/proc/bininfo.go,
// openSeparateDebugInfo) but reports every path it tried. debuginfod is
// not consulted: the doctor never uses the network.
func findSeparateDebug(in *Input, f *elf.File, link string, crc uint32) *sepDebug {
	sd := &sepDebug{link: link, wantCRC: crc, buildID: gnuBuildID(f)}
	exeDir := filepath.Dir(in.Path)
	if abs, err := filepath.Abs(exeDir); err == nil {
		exeDir = abs
	}
	try := func(p string) bool {
		sd.searched = append(sd.searched, p)
		_, err := os.Stat(p)
		return err == nil
	}
	if len(sd.buildID) > 2 {
		for _, d := range in.DebugInfoDirs {
			if p := filepath.Join(d, ".build-id", sd.buildID[:2], sd.buildID[2:]+".debug"); try(p) {
				sd.path = p
				return sd
			}
		}
	}
	candidates := []string{filepath.Join(exeDir, link), filepath.Join(exeDir, ".debug", link)}
	for _, d := range in.DebugInfoDirs {
		candidates = append(candidates, filepath.Join(d, strings.TrimPrefix(exeDir, "/"), link))
	}
	for _, p := range candidates {
		if !try(p) {
			continue
		}
		got, err := fileCRC(p)
		if err == nil && got != crc {
			sd.mismatch, sd.gotCRC = p, got
			break
		}
		sd.path = p
		return sd
	}
	if sd.mismatch == "" && len(sd.buildID) > 2 {
		for _, d := range in.DebugInfoDirs {
			if strings.Contains(d, "build-id") {
				if p := filepath.Join(d, sd.buildID[:2], sd.buildID[2:]+".debug"); try(p) {
					sd.path = p
					return sd
				}
			}
		}
	}
	return sd
}

func fileCRC(path string) (uint32, error) {
	fh, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer fh.Close()
	h := crc32.NewIEEE()
	if _, err := io.Copy(h, fh); err != nil {
		return 0, fmt.Errorf("crc of %s: %w", path, err)
	}
	return h.Sum32(), nil
}
