package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWithoutKeepsLaterPatches removes, from the real pristine tree, a patch
// whose lines a later patch's context includes (as 0001 and 0008 share
// terminal_test.go's import block), so the later patch does not apply to a
// tree without it: the later patch stays, the removed
// patch's _test.go files stay, its other changes go.
func TestWithoutKeepsLaterPatches(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	h, err := newHistory(root, work, nil)
	if err != nil {
		t.Fatal(err)
	}
	readme := filepath.Join(h.tree, "README.md")
	lines := strings.SplitN(readFile(t, readme), "\n", 4)[:3]
	first := writeTestPatch(t, work, "0001-first.patch", fmt.Sprintf(
		"diff --git a/README.md b/README.md\n--- a/README.md\n+++ b/README.md\n@@ -1,3 +1,4 @@\n %s\n+first\n %s\n %s\n"+
			"diff --git a/pkg/zz/zz_test.go b/pkg/zz/zz_test.go\nnew file mode 100644\n--- /dev/null\n+++ b/pkg/zz/zz_test.go\n@@ -0,0 +1 @@\n+package zz\n",
		lines[0], lines[1], lines[2]))
	second := writeTestPatch(t, work, "0002-second.patch", fmt.Sprintf(
		"diff --git a/README.md b/README.md\n--- a/README.md\n+++ b/README.md\n@@ -1,4 +1,5 @@\n %s\n first\n %s\n+second\n %s\n",
		lines[0], lines[1], lines[2]))
	h, err = newHistory(root, work, []*Patch{first, second})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.without(first); err != nil {
		t.Fatal(err)
	}
	got := strings.SplitN(readFile(t, readme), "\n", 4)[:3]
	if want := []string{lines[0], lines[1], "second"}; strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("README without the first patch starts %q, want %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(h.tree, "pkg", "zz", "zz_test.go")); err != nil {
		t.Errorf("the removed patch's test file is gone: %v", err)
	}
	// The next removal starts again from every patch.
	if err := h.without(second); err != nil {
		t.Fatal(err)
	}
	got = strings.SplitN(readFile(t, readme), "\n", 4)[:3]
	if want := []string{lines[0], "first", lines[1]}; strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("README without the second patch starts %q, want %q", got, want)
	}
}

func writeTestPatch(t *testing.T, dir, name, diff string) *Patch {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("Description: test\nTest: ./x TestX\n---\n"+diff), 0o644); err != nil {
		t.Fatal(err)
	}
	return &Patch{Path: p, Name: strings.TrimSuffix(name, ".patch")}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
