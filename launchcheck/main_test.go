package launchcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/internal/fixtures"
)

var testRoot string // removed after the tests

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "launchcheck-test-")
	if err != nil {
		panic(err)
	}
	testRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// copyDir copies the files of src (one level of subdirectories) into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// goBuild runs go with args in dir and fails the test with its output.
func goBuild(t testing.TB, dir string, env []string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s (in %s): %v\n%s", strings.Join(args, " "), dir, err, out)
	}
}

var fakeDlvs sync.Map // toolchain+tag → *fakeEntry

type fakeEntry struct {
	once sync.Once
	path string
	err  string
}

// fakeDlv builds a program whose build information says it is Delve
// (module github.com/go-delve/delve at tag), built by toolchain ("" for
// the local Go): what vscode-go would find and start as dlv.
func fakeDlv(t *testing.T, toolchain, tag string) string {
	t.Helper()
	fixtures.NeedTool(t, "git")
	e, _ := fakeDlvs.LoadOrStore(toolchain+"@"+tag, &fakeEntry{})
	fe := e.(*fakeEntry)
	fe.once.Do(func() {
		dir := filepath.Join(testRoot, "fakedlv-"+toolchain+"-"+tag)
		os.MkdirAll(filepath.Join(dir, "cmd", "dlv"), 0o755)
		os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module github.com/go-delve/delve\n\ngo 1.24\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "cmd", "dlv", "main.go"), []byte("// Command dlv is a stand-in that only has Delve's build information.\npackage main\n\nfunc main() {}\n"), 0o644)
		git := func(args ...string) {
			cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil && fe.err == "" {
				fe.err = "git " + strings.Join(args, " ") + ": " + string(out)
			}
		}
		git("init", "-q")
		git("add", ".")
		git("commit", "-qm", "fake")
		git("tag", tag)
		env := []string{}
		if toolchain != "" {
			env = append(env, "GOTOOLCHAIN="+toolchain)
		}
		fe.path = filepath.Join(dir, "dlv")
		cmd := exec.Command("go", "build", "-o", fe.path, "./cmd/dlv")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), append(env, "GOFLAGS=-buildvcs=true")...)
		if out, err := cmd.CombinedOutput(); err != nil && fe.err == "" {
			fe.err = "go build (" + toolchain + "): " + string(out)
		}
	})
	if fe.err != "" {
		t.Fatal(fe.err)
	}
	return fe.path
}

// fakeHost is a /sys and /proc with nothing in them: no LSM, no listener.
func fakeHost(t *testing.T) *Host {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "sys"), 0o755)
	os.MkdirAll(filepath.Join(root, "proc"), 0o755)
	return &Host{Sys: filepath.Join(root, "sys"), Proc: filepath.Join(root, "proc")}
}

// ids returns the IDs of the findings, without the informational
// "which dlv" and "server found" ones, in order.
func ids(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		if f.ID == "ENV-VERSION-WHICH" || f.ID == "ENV-IDECONF-REMOTE" {
			continue
		}
		out = append(out, f.ID)
	}
	return out
}

// mapEnv returns a Getenv over m.
func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func wantIDs(t *testing.T, data []byte) []string {
	t.Helper()
	first, _, _ := strings.Cut(string(data), "\n")
	want, ok := strings.CutPrefix(first, "// want: ")
	if !ok {
		t.Fatal("case file does not start with // want: IDs")
	}
	if want == "(none)" {
		return nil
	}
	return strings.Fields(want)
}

func sameIDs(got, want []string) bool {
	return slices.Equal(got, want) || len(got) == 0 && len(want) == 0
}
