package corecheck

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dlvx/dlvx/attachcheck"
	"github.com/dlvx/dlvx/finding"
)

// fakeProc writes a /proc tree for pid with the given files (paths below
// the root), the debugger's own status copied from the real /proc, and
// the process's exe and cwd links.
func fakeProc(t *testing.T, pid string, files map[string]string) (root, cwd string) {
	t.Helper()
	root, cwd = t.TempDir(), t.TempDir()
	self, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	files["self/status"], files[pid+"/status"] = string(self), string(self)
	for name, data := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exe, err := os.Executable() // a Go program: this test binary
	if err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"exe": exe, "cwd": cwd} {
		if err := os.Symlink(target, filepath.Join(root, pid, link)); err != nil {
			t.Fatal(err)
		}
	}
	return root, cwd
}

func setupIDs(t *testing.T, root string, pid int, free uint64) []string {
	t.Helper()
	env := &SetupEnv{Env: &attachcheck.Env{Proc: root, Root: "/"}, Free: func(string) (uint64, error) { return free, nil }}
	rep, err := Setup(env, pid, finding.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) > 0 {
		t.Fatalf("checks failed: %v", rep.Errors)
	}
	var ids []string
	for _, f := range rep.Findings {
		ids = append(ids, f.ID)
	}
	return ids
}

const limitsHead = "Limit                     Soft Limit           Hard Limit           Units     \n"

// TestSetupFake: each way a process can fail to leave a core is found in
// a fake /proc, and a good setup gives only the informational findings.
func TestSetupFake(t *testing.T) {
	good := map[string]string{
		"42/environ":              "PATH=/bin\x00GOTRACEBACK=crash\x00",
		"42/limits":               limitsHead + "Max core file size        unlimited            unlimited            bytes     \n",
		"42/coredump_filter":      "00000033\n",
		"sys/kernel/core_pattern": "core\n",
	}
	root, _ := fakeProc(t, "42", good)
	if ids := setupIDs(t, root, 42, 1<<40); !slices.Equal(ids, []string{"ENV-CORE-PATTERN", "ENV-CORE-TAKE"}) {
		t.Errorf("good setup: %v", ids)
	}
	bad := map[string]string{
		"42/environ":              "PATH=/bin\x00",
		"42/limits":               limitsHead + "Max core file size        0                    unlimited            bytes     \n",
		"42/coredump_filter":      "00000022\n",
		"sys/kernel/core_pattern": "|/bin/false\n",
	}
	root, _ = fakeProc(t, "42", bad)
	want := []string{"ENV-CORE-TRACEBACK", "ENV-CORE-ULIMIT", "ENV-CORE-PATTERN-NONE", "ENV-CORE-FILTER-ANON", "ENV-CORE-TAKE"}
	if ids := setupIDs(t, root, 42, 1<<40); !slices.Equal(ids, want) {
		t.Errorf("bad setup: %v, want %v", ids, want)
	}
	missing := map[string]string{
		"42/environ":              "GOTRACEBACK=crash\x00",
		"42/limits":               limitsHead + "Max core file size        unlimited            unlimited            bytes     \n",
		"42/coredump_filter":      "00000033\n",
		"sys/kernel/core_pattern": "/nonexistent/cores/core.%e.%p\n",
	}
	root, _ = fakeProc(t, "42", missing)
	if ids := setupIDs(t, root, 42, 1<<40); !slices.Contains(ids, "ENV-CORE-DIR") {
		t.Errorf("core_pattern in a missing directory: %v", ids)
	}
}
