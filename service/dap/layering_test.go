package dap

import (
	"bytes"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// The analysis packages return values; turning them into protocol
// messages is this package's job. They must never import it, nor go-dap.
func TestAnalysisPackagesDoNotImportDAP(t *testing.T) {
	fixtures.Long(t, "runs go list")
	pkgs := []string{"github.com/dlvx/dlvx/dwarfcheck/...", "github.com/dlvx/dlvx/resolver/...", "github.com/dlvx/dlvx/preempt/..."}
	cmd := exec.Command("go", append([]string{"list", "-e", "-deps", "-f", "{{.ImportPath}}"}, pkgs...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	for dep := range strings.FieldsSeq(string(out)) {
		if dep == "github.com/dlvx/dlvx/service/dap" || strings.HasPrefix(dep, "github.com/google/go-dap") {
			t.Errorf("an analysis package depends on %s; only service/dap and cmd/dlvx may", dep)
		}
	}
}

// checkNoRelayLeft fails if a relay goroutine of this package outlived the
// tests: every test waits for its sessions to end.
func checkNoRelayLeft() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "dlvx/service/dap.(*session)") {
			return g
		}
	}
	return ""
}
