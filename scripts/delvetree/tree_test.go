package main

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The tests use the real lock file and the real module (through the module
// proxy, usually from the module cache), but temporary patch directories and
// output trees, so the repository's third_party/delve is never touched.

const realLock = "../../patches/delve.lock"

// setup returns a Config writing to a temporary tree with an empty patch set.
func setup(t *testing.T) *Config {
	t.Helper()
	dir := t.TempDir()
	lock := filepath.Join(dir, "delve.lock")
	data, err := os.ReadFile(realLock)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, lock, string(data))
	patches := filepath.Join(dir, "patches")
	if err := os.Mkdir(patches, 0o755); err != nil {
		t.Fatal(err)
	}
	return &Config{Lock: lock, Patches: patches, Out: filepath.Join(dir, "third_party", "delve")}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func wantState(t *testing.T, c *Config, want State) string {
	t.Helper()
	got, why, err := c.Status()
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if got != want {
		t.Fatalf("Status = %q (%s), want %q", got, why, want)
	}
	return why
}

// firstLinePatch returns a patch replacing line 1 of the pristine README.md
// (three lines given as context) with repl. hunkStart moves the hunk header
// to test offset detection.
func firstLinePatch(lines []string, repl string, hunkStart int) string {
	return fmt.Sprintf("Description: test patch\n---\n"+
		"diff --git a/README.md b/README.md\n--- a/README.md\n+++ b/README.md\n"+
		"@@ -%d,3 +%d,3 @@\n-%s\n+%s\n %s\n %s\n",
		hunkStart, hunkStart, lines[0], repl, lines[1], lines[2])
}

func readmeLines(t *testing.T, c *Config) []string {
	t.Helper()
	return strings.SplitN(readFile(t, filepath.Join(c.Out, "README.md")), "\n", 4)[:3]
}

func TestGenerateIsIdempotent(t *testing.T) {
	c := setup(t)
	wantState(t, c, Missing)
	if err := c.Ensure(); err != nil {
		t.Fatal(err)
	}
	wantState(t, c, UpToDate)
	if _, err := os.Stat(filepath.Join(c.Out, "pkg", "terminal", "terminal.go")); err != nil {
		t.Fatalf("generated tree lacks Delve's source: %v", err)
	}
	stampPath := filepath.Join(c.Out, stampFile)
	before, err := os.Stat(stampPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Ensure(); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(stampPath)
	if err != nil {
		t.Fatal(err)
	}
	if !before.ModTime().Equal(after.ModTime()) {
		t.Error("second Ensure rewrote an up-to-date tree")
	}
	// Ordinary permissions: writable by its owner, so patch and rm work for non-root users.
	info, err := os.Stat(filepath.Join(c.Out, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o644 {
		t.Errorf("extracted file mode %v, want 0644", info.Mode().Perm())
	}
}

func TestPatchChangeRegenerates(t *testing.T) {
	c := setup(t)
	if err := c.Ensure(); err != nil {
		t.Fatal(err)
	}
	lines := readmeLines(t, c)
	writeFile(t, filepath.Join(c.Patches, "0001-readme.patch"), firstLinePatch(lines, "patched once", 1))
	wantState(t, c, Stale)
	if err := c.Ensure(); err != nil {
		t.Fatal(err)
	}
	if got := readmeLines(t, c)[0]; got != "patched once" {
		t.Fatalf("README line 1 = %q after patching", got)
	}
	// Changing the patch rebuilds from the pristine module, not on top of the old result.
	writeFile(t, filepath.Join(c.Patches, "0001-readme.patch"), firstLinePatch(lines, "patched twice", 1))
	wantState(t, c, Stale)
	if err := c.Ensure(); err != nil {
		t.Fatal(err)
	}
	if got := readmeLines(t, c)[0]; got != "patched twice" {
		t.Fatalf("README line 1 = %q after changing the patch", got)
	}
	wantState(t, c, UpToDate)
}

func TestHandEditDetected(t *testing.T) {
	c := setup(t)
	if err := c.Ensure(); err != nil {
		t.Fatal(err)
	}
	edited := filepath.Join(c.Out, "pkg", "terminal", "terminal.go")
	pristine := readFile(t, edited)
	writeFile(t, edited, pristine+"\n// edited by hand\n")
	why := wantState(t, c, Edited)
	if !strings.Contains(why, "pkg/terminal/terminal.go (changed)") {
		t.Errorf("Status does not name the edited file: %s", why)
	}
	if err := c.Ensure(); err != nil {
		t.Fatal(err)
	}
	if readFile(t, edited) != pristine {
		t.Error("Ensure kept the hand edit")
	}
	wantState(t, c, UpToDate)

	os.Remove(filepath.Join(c.Out, stampFile))
	wantState(t, c, Edited)
}

func TestWrongHashRefused(t *testing.T) {
	c := setup(t)
	lock := readFile(t, c.Lock)
	l, err := ReadLock(c.Lock)
	if err != nil {
		t.Fatal(err)
	}
	bad := "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	for _, sum := range []string{l.ZipSum, l.ModSum} {
		writeFile(t, c.Lock, strings.Replace(lock, sum, bad, 1))
		err := c.Ensure()
		var mismatch *HashMismatchError
		if !errors.As(err, &mismatch) {
			t.Fatalf("Ensure with a wrong sum: %v, want a HashMismatchError", err)
		}
		if mismatch.Want != bad {
			t.Errorf("mismatch reports want %s, expected %s", mismatch.Want, bad)
		}
		if _, err := os.Stat(c.Out); !os.IsNotExist(err) {
			t.Fatalf("a refused module left a tree behind: %v", err)
		}
	}
}

func TestTamperedZipCaught(t *testing.T) {
	l, err := ReadLock(realLock)
	if err != nil {
		t.Fatal(err)
	}
	zipPath, err := fetch(l)
	if err != nil {
		t.Fatal(err)
	}
	modPath := strings.TrimSuffix(zipPath, ".zip") + ".mod"
	// A valid zip holding the same files, one of them edited, as a tampered cache would.
	tampered := filepath.Join(t.TempDir(), "delve.zip")
	rewriteZip(t, zipPath, tampered, "README.md")
	m := &module{Zip: tampered, GoMod: modPath, Sum: l.ZipSum, GoModSum: l.ModSum}
	var mismatch *HashMismatchError
	if err := verify(l, m); !errors.As(err, &mismatch) {
		t.Fatalf("verify of a tampered zip: %v, want a HashMismatchError", err)
	}
	if !strings.Contains(mismatch.What, "re-hashed") {
		t.Errorf("tampered zip caught as %q, want the re-hash check", mismatch.What)
	}
	// The untouched files pass.
	if err := verify(l, &module{Zip: zipPath, GoMod: modPath, Sum: l.ZipSum, GoModSum: l.ModSum}); err != nil {
		t.Fatalf("verify of the real module: %v", err)
	}
}

func TestBadPatchLeavesOldTree(t *testing.T) {
	c := setup(t)
	if err := c.Ensure(); err != nil {
		t.Fatal(err)
	}
	lines := readmeLines(t, c)
	cases := map[string]string{
		"context":  firstLinePatch([]string{"no such line", lines[1], lines[2]}, "x", 1),
		"offset":   "\n" + firstLinePatch(lines, "x", 40),
		"fuzzless": firstLinePatch([]string{lines[0], lines[1], "changed context"}, "x", 1),
	}
	for name, patch := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(c.Patches, "0001-bad.patch")
			writeFile(t, p, patch)
			defer os.Remove(p)
			err := c.Ensure()
			var pe *PatchError
			if !errors.As(err, &pe) {
				t.Fatalf("Ensure with a %s patch: %v, want a PatchError", name, err)
			}
			if readmeLines(t, c)[0] != lines[0] {
				t.Error("a failed patch changed the existing tree")
			}
			entries, _ := os.ReadDir(filepath.Dir(c.Out))
			for _, e := range entries {
				if e.Name() != "delve" && e.Name() != ".delvetree.lock" {
					t.Errorf("a failed run left %s next to the tree", e.Name())
				}
			}
		})
	}
}

func TestLockErrors(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"missing sum": "module m\nversion v1\nzip h1:x\n",
		"unknown key": "module m\nversion v1\nzip h1:x\nmod h1:y\ncolour blue\n",
		"not h1":      "module m\nversion v1\nzip sha256:x\nmod h1:y\n",
		"exec parent": "module m\nversion v1\nzip h1:x\nmod h1:y\nexec ../x\n",
		"exec abs":    "module m\nversion v1\nzip h1:x\nmod h1:y\nexec /x\n",
		"exec dirty":  "module m\nversion v1\nzip h1:x\nmod h1:y\nexec a/./x\n",
		"exec twice":  "module m\nversion v1\nzip h1:x\nmod h1:y\nexec a\nexec a\n",
		"exec empty":  "module m\nversion v1\nzip h1:x\nmod h1:y\nexec\n",
	} {
		p := filepath.Join(dir, "lock")
		writeFile(t, p, content)
		if _, err := ReadLock(p); err == nil {
			t.Errorf("%s: ReadLock accepted %q", name, content)
		}
	}
}

// rewriteZip copies the zip at src to dst, appending a line to each entry
// whose name ends in suffix.
func rewriteZip(t *testing.T, src, dst, suffix string) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, e := range zr.File {
		r, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(e.Name, suffix) {
			data = append(data, "tampered\n"...)
		}
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}
