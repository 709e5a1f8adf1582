package dwarfcheck

import (
	"debug/buildinfo"
	"encoding/binary"
	"fmt"
	"io"
	"os/exec"

	"github.com/dlvx/dlvx/finding"
	"github.com/go-delve/delve/pkg/goversion"
)

// DWARFVersion reports a binary whose DWARF a foreign dlv on PATH cannot
// read: version 5 units (Go 1.25+, LLVM-compiled C) against a dlv that
// was itself built with Go older than 1.25.
var DWARFVersion = &Check{
	Name:     "dwarf-version",
	Doc:      "report DWARF 5 when the dlv on PATH cannot read it\n\nReads the version of every compile unit header in .debug_info, and the Go version that built the dlv found on PATH (its build information).",
	Requires: []*Check{DWARFUnits},
	Run:      dwarfVersion,
}

// firstDWARF5Go is the first Go release whose Delve builds read DWARF 5.
var firstDWARF5Go = goversion.GoVersion{Major: 1, Minor: 25, Rev: betaZero}

func dwarfVersion(in *Input) ([]finding.Finding, error) {
	f, _ := in.ELF()
	sec := f.Section(".debug_info")
	if sec == nil {
		return nil, finding.ErrNotApplicable // separate debug file or .zdebug: other checks speak
	}
	// The dlv on PATH first: without an old one, the unit headers need
	// not be read (that inflates .debug_info once more).
	if in.ForeignDlv == nil {
		return nil, nil
	}
	dlv, err := in.ForeignDlv()
	if err != nil {
		return nil, nil // no dlv on PATH: nothing else will read it
	}
	bi, err := buildinfo.ReadFile(dlv)
	if err != nil {
		return nil, nil // not a Go program: not a Delve we know about
	}
	if v, ok := goversion.Parse(bi.GoVersion); !ok || v.AfterOrEqual(firstDWARF5Go) {
		return nil, nil
	}
	maxVersion, off, err := maxUnitVersion(sec.Open()) // decompresses SHF_COMPRESSED sections
	if err != nil {
		return nil, err
	}
	if maxVersion < 5 {
		return nil, nil
	}
	fd := finding.New("ENV-DWARF5",
		finding.Evidence{Source: "dwarf:.debug_info", Offset: int64(sec.Offset) + off, Fact: fmt.Sprintf("compile unit header version %d", maxVersion)},
		finding.Evidence{Source: "host:" + dlv, Offset: -1, Fact: "dlv on PATH was built with " + bi.GoVersion},
	)
	fd.Fixes = []finding.Fix{
		{Summary: "reinstall dlv with a Go 1.25 or newer toolchain", Command: []string{"env", "GOTOOLCHAIN=go1.25.0+auto", "go", "install", "github.com/go-delve/delve/cmd/dlv@latest"}},
		{Summary: "or make the editor run dlvx: in VS Code, \"go.alternateTools\": {\"dlv\": \"/path/to/dlvx\"}"},
	}
	return []finding.Finding{fd}, nil
}

// maxUnitVersion walks the compile unit headers of a .debug_info section
// (32- and 64-bit DWARF) and returns the highest version and the offset of
// a unit that has it.
func maxUnitVersion(r io.ReadSeeker) (version uint16, at int64, err error) {
	order := binary.LittleEndian
	end, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, 0, &SectionError{Section: ".debug_info", Offset: 0, Err: err}
	}
	var off int64
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return 0, 0, &SectionError{Section: ".debug_info", Offset: 0, Err: err}
	}
	for {
		var hdr [14]byte
		if _, err := io.ReadFull(r, hdr[:4]); err == io.EOF {
			return version, at, nil
		} else if err != nil {
			return 0, 0, &SectionError{Section: ".debug_info", Offset: off, Err: err}
		}
		length, size := int64(order.Uint32(hdr[:4])), int64(4)
		if length == 0xffffffff {
			if _, err := io.ReadFull(r, hdr[4:12]); err != nil {
				return 0, 0, &SectionError{Section: ".debug_info", Offset: off, Err: err}
			}
			length, size = int64(order.Uint64(hdr[4:12])), 12
		} else if length >= 0xfffffff0 {
			return 0, 0, &SectionError{Section: ".debug_info", Offset: off, Err: fmt.Errorf("reserved unit length %#x", length)}
		}
		if length < 2 {
			return 0, 0, &SectionError{Section: ".debug_info", Offset: off, Err: fmt.Errorf("unit length %d too short", length)}
		}
		var v [2]byte
		if _, err := io.ReadFull(r, v[:]); err != nil {
			return 0, 0, &SectionError{Section: ".debug_info", Offset: off, Err: err}
		}
		if u := order.Uint16(v[:]); u > version {
			version, at = u, off
		}
		if off+size+length > end {
			return 0, 0, &SectionError{Section: ".debug_info", Offset: off, Err: fmt.Errorf("unit of %d bytes runs past the section's end at %#x", length, end)}
		}
		off += size + length
		if _, err := r.Seek(off, io.SeekStart); err != nil {
			return 0, 0, &SectionError{Section: ".debug_info", Offset: off, Err: err}
		}
	}
}

// lookDlv finds the dlv an editor would start when not told otherwise.
func lookDlv() (string, error) { return exec.LookPath("dlv") }
