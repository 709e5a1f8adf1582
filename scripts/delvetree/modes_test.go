package main

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestExecModesRestored checks that exactly the lock file's exec paths are
// executable in the generated tree, and that they run.
func TestExecModesRestored(t *testing.T) {
	c := setup(t)
	l, err := ReadLock(c.Lock)
	if err != nil {
		t.Fatal(err)
	}
	const script = "_fixtures/nongochild/child.sh" // pkg/proc TestFollowExecNonGo runs it
	if !slices.Contains(l.Exec, script) {
		t.Fatalf("the lock file does not list %s among %v", script, l.Exec)
	}
	if err := c.Ensure(); err != nil {
		t.Fatal(err)
	}
	var got []string
	err = filepath.WalkDir(c.Out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(c.Out, path)
		switch perm := info.Mode().Perm(); perm {
		case 0o755:
			got = append(got, filepath.ToSlash(rel))
		case 0o644:
		default:
			t.Errorf("%s has mode %v, want 0644 or 0755", rel, perm)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Sorted(slices.Values(l.Exec))
	if !slices.Equal(got, want) {
		t.Errorf("executable files in the tree:\n%v\nwant the lock file's list:\n%v", got, want)
	}
	out, err := exec.Command(filepath.Join(c.Out, script)).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Hello World") {
		t.Errorf("run %s: %v: %s", script, err, out)
	}
}

func TestExecPathMissingRefused(t *testing.T) {
	for name, path := range map[string]string{"absent": "_fixtures/no-such-script.sh", "directory": "_fixtures"} {
		t.Run(name, func(t *testing.T) {
			c := setup(t)
			f, err := os.OpenFile(c.Lock, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString("exec " + path + "\n")
			f.Close()
			err = c.Ensure()
			var missing *MissingExecError
			if !errors.As(err, &missing) || missing.Path != path {
				t.Fatalf("Ensure with exec %s: %v, want a MissingExecError for it", path, err)
			}
			if _, err := os.Stat(c.Out); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("a refused exec list left a tree behind: %v", err)
			}
		})
	}
}

// TestModeEditDetected: a chmod in the generated tree is a hand edit, and
// a changed exec list makes the tree stale.
func TestModeEditDetected(t *testing.T) {
	c := setup(t)
	if err := c.Ensure(); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(c.Out, "_fixtures", "nongochild", "child.sh")
	if err := os.Chmod(script, 0o644); err != nil {
		t.Fatal(err)
	}
	why := wantState(t, c, Edited)
	if !strings.Contains(why, "_fixtures/nongochild/child.sh (mode -rw-r--r--, generated -rwxr-xr-x)") {
		t.Errorf("Status does not name the mode change: %s", why)
	}
	if err := c.Ensure(); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(script); err != nil || info.Mode().Perm() != 0o755 {
		t.Fatalf("regeneration did not restore the mode: %v %v", info, err)
	}
	lock := readFile(t, c.Lock)
	writeFile(t, c.Lock, strings.Replace(lock, "exec _fixtures/nongochild/child.sh\n", "", 1))
	wantState(t, c, Stale)
}
