package dwarfcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// git runs git in dir with a fixed identity.
func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// TestStaleRevision builds a fixture in a git checkout with VCS stamping,
// then moves HEAD and edits the tree: the real git query and the real
// vcs.* build settings must produce the findings.
func TestStaleRevision(t *testing.T) {
	needTool(t, "git")
	src := copyFixture(t, "worker", t.TempDir())
	git(t, src, "init", "-q")
	git(t, src, "add", ".")
	git(t, src, "commit", "-q", "-m", "first")
	bin := filepath.Join(t.TempDir(), "worker")
	cmd := exec.Command("go", "build", "-buildvcs=true", "-gcflags=all=-N -l", "-o", bin, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	check := func(want []string) {
		t.Helper()
		in := NewInput(bin)
		in.Source = src
		if got := findingIDs(doctor(t, in).Findings); !slices.Equal(got, want) {
			t.Errorf("findings %v, want %v", got, want)
		}
	}
	check(nil)
	git(t, src, "commit", "-q", "--allow-empty", "-m", "second")
	check([]string{"BP-STALE-REVISION"})
}
