package dwarfcheck

import (
	"bytes"
	"debug/elf"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/internal/fixtures"
)

// TestDWARFVersionForeignDlv pairs binaries with a "dlv" built by an old
// and by a current toolchain: only DWARF 5 read by the old one is reported.
func TestDWARFVersionForeignDlv(t *testing.T) {
	fixtures.NeedToolchain(t, go124)
	current := fixtures.Build(t, "worker", fixtures.NoOpt) // DWARF 5 (Go 1.25+)
	old := fixtures.Build(t, "worker", go124)              // DWARF 4
	oldDlv := fixtures.Build(t, "worker", go124)           // stands in for a dlv built with go1.24
	newDlv := current
	tests := []struct {
		name, bin, dlv string
		want           []string
	}{
		{"dwarf5/old-dlv", current, oldDlv, []string{"ENV-DWARF5"}},
		{"dwarf5/new-dlv", current, newDlv, nil},
		{"dwarf4/old-dlv", old, oldDlv, nil},
		{"dwarf5/no-dlv", current, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := NewInput(tc.bin)
			defer in.Close()
			in.ForeignDlv = func() (string, error) {
				if tc.dlv == "" {
					return "", os.ErrNotExist
				}
				return tc.dlv, nil
			}
			res, err := finding.Run(in, finding.Select(BinaryChecks, []string{"dwarf-version"}, nil), finding.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := findingIDs(res.Findings); !slices.Equal(got, tc.want) {
				t.Fatalf("findings %v, want %v", got, tc.want)
			}
			if tc.want != nil && len(res.Findings[0].Evidence) != 2 {
				t.Errorf("ENV-DWARF5 evidence %+v, want the unit version and the dlv's Go version", res.Findings[0].Evidence)
			}
		})
	}
}

// TestMaxUnitVersionDamaged cuts .debug_info short and corrupts a unit
// length: the walk reports a SectionError, never a version or a panic.
func TestMaxUnitVersionDamaged(t *testing.T) {
	f, err := elf.Open(fixtures.Build(t, "worker", fixtures.NoOpt))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := f.Section(".debug_info").Data()
	if err != nil {
		t.Fatal(err)
	}
	if v, _, err := maxUnitVersion(bytes.NewReader(info)); err != nil || v != 5 {
		t.Fatalf("maxUnitVersion of a go1.26 binary = %d, %v; want 5", v, err)
	}
	reserved := slices.Clone(info)
	copy(reserved, []byte{0xf0, 0xff, 0xff, 0xff})
	for name, data := range map[string][]byte{
		"truncated":        info[:len(info)/2],
		"reserved-length":  reserved,
		"header-cut-short": info[:3],
	} {
		var se *SectionError
		if _, _, err := maxUnitVersion(bytes.NewReader(data)); !errors.As(err, &se) {
			t.Errorf("%s: err = %v, want a SectionError", name, err)
		}
	}
}
