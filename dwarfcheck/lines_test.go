package dwarfcheck

import (
	"debug/elf"
	"slices"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// TestStreamFiles: the file names Files streams from .debug_line are the
// ones debug/dwarf's LineReader gives on the whole section, in the same
// order, for DWARF 5 and 4, a cgo binary's C units and //line names.
func TestStreamFiles(t *testing.T) {
	cases := []struct {
		fixture string
		v       fixtures.Variant
		cFiles  bool // C units' line tables: DWARF 5 strings from gcc
	}{
		{"crash", fixtures.Default, false},
		{"crash", fixtures.Trimpath, false},
		{"crash", fixtures.Variant{Name: "dwarf4", Env: []string{"GOEXPERIMENT=nodwarf5"}}, false},
		{"cgomix", fixtures.Variant{Name: "cgo", Env: []string{"CGO_ENABLED=1"}}, true},
		{"linedirective", fixtures.NoOpt, false},
	}
	for _, tc := range cases {
		t.Run(tc.fixture+"/"+tc.v.Name, func(t *testing.T) {
			in := NewInput(fixtures.Build(t, tc.fixture, tc.v))
			defer in.Close()
			got, err := in.Files()
			if err != nil {
				t.Fatal(err)
			}
			if in.lines == nil {
				t.Fatal("Files did not stream the line tables")
			}
			f, err := elf.Open(in.Path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			whole, err := f.DWARF()
			if err != nil {
				t.Fatal(err)
			}
			units, _ := in.Units()
			var want []string
			for _, u := range units {
				lr, err := whole.LineReader(u.entry)
				if err != nil {
					t.Fatal(err)
				}
				if lr == nil {
					continue
				}
				for _, lf := range lr.Files() {
					if lf != nil && !slices.Contains(want, lf.Name) {
						want = append(want, lf.Name)
					}
				}
			}
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("streamed %d files, LineReader %d:\n got %q\nwant %q", len(got), len(want), got, want)
			}
			isC := func(n string) bool { return strings.HasSuffix(n, ".c") }
			if tc.cFiles && !slices.ContainsFunc(got, isC) {
				t.Errorf("no C file among %q", got)
			}
		})
	}
}
