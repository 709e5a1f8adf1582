package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// TestDoctorCoreSetup: --core-setup on real processes started with and
// without GOTRACEBACK=crash and with core size limits 0 and unlimited, and
// the verdict checked against what a SIGABRT then leaves behind.
func TestDoctorCoreSetup(t *testing.T) {
	exe := fixtures.Build(t, "crash", fixtures.Default)
	cases := []struct {
		name, limit, traceback string
		want                   []string // error-level IDs
	}{
		{"crash-unlimited", "unlimited", "crash", nil},
		{"default-unlimited", "unlimited", "", []string{"ENV-CORE-TRACEBACK"}},
		{"crash-limit0", "0", "crash", []string{"ENV-CORE-ULIMIT"}},
		{"default-limit0", "0", "", []string{"ENV-CORE-TRACEBACK", "ENV-CORE-ULIMIT"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command("sh", "-c", `ulimit -c `+tc.limit+` && exec "$0"`, exe)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOTRACEBACK="+tc.traceback)
			p := fixtures.StartCmdReady(t, cmd).PID
			out, code := runDlvx(t, "doctor", "--json", "--pid", strconv.Itoa(p), "--core-setup")
			var rep struct {
				Findings []struct{ ID, Severity string } `json:"findings"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("exit %d, not JSON: %v\n%s", code, err, out)
			}
			var errs []string
			for _, f := range rep.Findings {
				if f.Severity == "error" {
					errs = append(errs, f.ID)
				}
			}
			if !slices.Equal(errs, tc.want) {
				t.Errorf("errors %v, want %v", errs, tc.want)
			}
			syscall.Kill(p, syscall.SIGABRT)
			cmd.Wait()
			cores, _ := filepath.Glob(filepath.Join(dir, "core*"))
			t.Logf("doctor errors %v; after SIGABRT: %d core files", errs, len(cores))
			if (len(cores) > 0) != (len(tc.want) == 0) {
				t.Errorf("doctor predicts a core: %v; SIGABRT left %v", len(tc.want) == 0, cores)
			}
		})
	}
}
