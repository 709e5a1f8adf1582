package preempt_test

import (
	"os/exec"
	"strings"
	"testing"
)

// preempt reads bytes and returns values: it must not depend on Delve, on
// dlvx's front ends or on a protocol.
func TestPureDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/dlvx/dlvx/preempt").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/go-delve/") || strings.HasPrefix(dep, "github.com/google/go-dap") ||
			strings.HasPrefix(dep, "github.com/dlvx/dlvx/") && dep != "github.com/dlvx/dlvx/preempt" {
			t.Errorf("preempt depends on %s", dep)
		}
	}
}
