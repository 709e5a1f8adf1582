package breakcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

func TestMain(m *testing.M) {
	code := m.Run()
	fixtures.Cleanup()
	derivedCleanup()
	os.Exit(code)
}

// A derived binary is a fixture build rewritten by a tool (strip, objcopy),
// made once per test binary like fixtures.Build.
type derivedEntry struct {
	once sync.Once
	path string
	err  error
}

var (
	derived    sync.Map // name → *derivedEntry
	derivedDir string
	derivedMu  sync.Mutex
)

func derivedCleanup() {
	derivedMu.Lock()
	defer derivedMu.Unlock()
	if derivedDir != "" {
		os.RemoveAll(derivedDir)
	}
}

// derive returns the path of name, made by make(dir) from a fixture build.
// make writes files into its own directory dir and returns the binary.
func derive(t testing.TB, name string, mk func(t testing.TB, dir string) string) string {
	t.Helper()
	e, _ := derived.LoadOrStore(name, new(derivedEntry))
	en := e.(*derivedEntry)
	en.once.Do(func() {
		derivedMu.Lock()
		if derivedDir == "" {
			derivedDir, en.err = os.MkdirTemp("", "dlvx-derived-")
		}
		base := derivedDir
		derivedMu.Unlock()
		if en.err != nil {
			return
		}
		dir := filepath.Join(base, name)
		if en.err = os.MkdirAll(dir, 0o755); en.err == nil {
			en.path = mk(t, dir)
		}
	})
	if en.err != nil {
		t.Fatal(en.err)
	}
	if en.path == "" {
		t.Fatalf("derived binary %s was not made (see the first test that asked for it)", name)
	}
	return en.path
}

// run runs a tool and fails the test with its output on error.
func run(t testing.TB, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// copyFile copies src to dst with mode 0755.
func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		t.Fatal(err)
	}
}

// needTool needs a binary tool, through fixtures.NeedTool.
func needTool(t testing.TB, name string) {
	t.Helper()
	fixtures.NeedTool(t, name)
}
