package dlvx

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// listDeps returns the transitive imports of the given patterns.
func listDeps(t *testing.T, dir string, patterns ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-e", "-deps"}, patterns...)...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v\n%s", strings.Join(patterns, " "), err, msg)
	}
	return strings.Fields(string(out))
}

// TestDelveNeverImportsDlvx keeps the dependency one way: a patch adds a
// hook that dlvx fills in, never an import of dlvx.
func TestDelveNeverImportsDlvx(t *testing.T) {
	deps := listDeps(t, ".", "github.com/go-delve/delve/...")
	if len(deps) < 100 {
		t.Fatalf("go list found only %d packages in Delve", len(deps))
	}
	for _, d := range deps {
		if strings.HasPrefix(d, "github.com/dlvx/dlvx") {
			t.Errorf("Delve depends on %s", d)
		}
	}
}

// TestAnalysisPackagesArePure keeps the analysis packages free of the
// protocol layer and the CLI.
func TestAnalysisPackagesArePure(t *testing.T) {
	forbidden := []string{
		"github.com/dlvx/dlvx/service/",
		"github.com/dlvx/dlvx/cmd/",
		"github.com/google/go-dap",
		// Delve's front ends; service/api stays allowed: locspec's
		// LocationSpec interface returns its Location type.
		"github.com/go-delve/delve/service/dap",
		"github.com/go-delve/delve/service/rpc",
		"github.com/go-delve/delve/service/debugger",
		"github.com/go-delve/delve/cmd/",
		"github.com/go-delve/delve/pkg/terminal",
	}
	checked := 0
	for _, pkg := range []string{"dwarfcheck", "resolver", "preempt", "attachcheck"} {
		if _, err := os.Stat(filepath.Join(pkg)); err != nil {
			continue // not written yet
		}
		checked++
		for _, d := range listDeps(t, ".", "./"+pkg+"/...") {
			for _, f := range forbidden {
				if strings.HasPrefix(d, f) {
					t.Errorf("%s depends on %s", pkg, d)
				}
			}
		}
	}
	t.Logf("checked %d analysis packages", checked)
}
