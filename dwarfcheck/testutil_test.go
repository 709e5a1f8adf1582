package dwarfcheck

import (
	"os"
	"os/exec"
	"runtime/debug"
	"testing"
)

func debugSetting(k, v string) debug.BuildSetting { return debug.BuildSetting{Key: k, Value: v} }

// buildIn builds the main package in dir into out.
func buildIn(t *testing.T, dir, out string, flags ...string) {
	t.Helper()
	cmd := exec.Command("go", append(append([]string{"build", "-o", out}, flags...), ".")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-buildvcs=false")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build in %s: %v\n%s", dir, err, b)
	}
}
