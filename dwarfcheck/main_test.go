package dwarfcheck

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/internal/fixtures"
)

func TestMain(m *testing.M) {
	code := m.Run()
	fixtures.Cleanup()
	os.Exit(code)
}

// go124 builds with the newest toolchain Delve 1.27 no longer supports.
var go124 = fixtures.Variant{Name: "go1.24", Env: []string{"GOTOOLCHAIN=go1.24.0"}}

// doctor runs every binary check on in, without Delve's function table,
// and closes it. It fails the test on a recovered panic.
func doctor(t testing.TB, in *Input) *finding.Result {
	t.Helper()
	defer in.Close()
	// The dlv on this machine's PATH must not change the results; ENV-DWARF5
	// has its own test with a dlv built for it.
	in.ForeignDlv = nil
	res, err := finding.Run(in, BinaryChecks, finding.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range finding.Panics(res.Errors) {
		t.Errorf("%v\n%s", p, p.Stack)
	}
	return res
}

// findingIDs returns the sorted distinct IDs of fs.
func findingIDs(fs []finding.Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// copyFixture copies a fixture's sources into dir/name.
func copyFixture(t *testing.T, name, dir string) string {
	t.Helper()
	dst := filepath.Join(dir, name)
	if err := os.CopyFS(dst, os.DirFS(fixtures.Dir(name))); err != nil {
		t.Fatal(err)
	}
	return dst
}

// needTool needs a binary tool, through fixtures.NeedTool.
func needTool(t testing.TB, name string) {
	t.Helper()
	fixtures.NeedTool(t, name)
}
