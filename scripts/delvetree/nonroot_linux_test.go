package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestNonRootUser runs the tool as an unprivileged user with a module cache
// of its own, which the go command makes read-only: extraction must still
// give a tree that user can patch and remove. Root runs it as nobody; any
// other user runs it as itself.
func TestNonRootUser(t *testing.T) {
	const nobody = 65534
	uid, cred := os.Geteuid(), (*syscall.Credential)(nil)
	if uid == 0 {
		uid, cred = nobody, &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}}
	}
	dir, err := os.MkdirTemp("", "delvetree-nonroot-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	tool := filepath.Join(dir, "delvetree")
	if out, err := exec.Command("go", "build", "-o", tool, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	work := filepath.Join(dir, "work")
	for _, d := range []string{work, filepath.Join(work, "patches")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	lock, err := os.ReadFile(realLock)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(work, "patches", "delve.lock"), string(lock))
	if cred != nil {
		chownAll(t, dir, nobody)
	}
	os.Chmod(dir, 0o755)
	run := func() string {
		cmd := exec.Command(tool, "-root", work)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		cmd.Env = append(os.Environ(), "HOME="+dir, "GOMODCACHE="+filepath.Join(dir, "modcache"),
			"GOCACHE="+filepath.Join(dir, "gocache"), "GOTOOLCHAIN=local")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("delvetree as uid %d: %v\n%s", uid, err, out)
		}
		return string(out)
	}
	run()
	readme := filepath.Join(work, "third_party", "delve", "README.md")
	// Edit the tree as that user's files would be edited, then regenerate:
	// moving the old tree aside and removing it must work without root.
	writeFile(t, readme, "edited\n")
	if out := run(); !strings.Contains(out, "edited by hand") {
		t.Errorf("hand edit not reported:\n%s", out)
	}
	if strings.HasPrefix(readFile(t, readme), "edited") {
		t.Error("hand edit survived regeneration")
	}
	// The module cache is read-only; go clean -modcache would fix that for removal.
	exec.Command("chmod", "-R", "u+w", filepath.Join(dir, "modcache")).Run()
}

// chownAll gives dir and everything below it to uid (and gid uid).
func chownAll(t *testing.T, dir string, uid int) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, uid)
	})
	if err != nil {
		t.Fatalf("chown: %v", err)
	}
}
