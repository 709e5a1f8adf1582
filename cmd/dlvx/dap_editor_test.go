package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// editorFixtures returns the environment of the VS Code client's tests of
// the editor features (MOVES_*) and of a basename held twice (SHOP_*):
// _fixtures/shop built in a directory of another name, as a CI machine
// builds it, and debugged with the editor's checkout (the fixture).
func editorFixtures(t *testing.T) []string {
	t.Helper()
	marks := map[string]int{}
	for _, l := range []string{"main-start", "main-end", "comment-in-main", "between-funcs", "two-calls", "after-calls", "skipped", "print", "double-body"} {
		marks[l] = fixtures.Line(t, "moves", "main.go", l)
	}
	mj, err := json.Marshal(marks)
	if err != nil {
		t.Fatal(err)
	}
	return []string{
		"MOVES_BIN=" + fixtures.Build(t, "moves", fixtures.NoOpt),
		"MOVES_OPT_BIN=" + fixtures.Build(t, "moves", fixtures.Default),
		"MOVES_SRC=" + filepath.Join(fixtures.Dir("moves"), "main.go"),
		"MOVES_MARKS=" + string(mj),
		"SHOP_BIN=" + buildElsewhere(t, "shop"),
		"SHOP_SRC=" + filepath.Join(fixtures.Dir("shop"), "main.go"),
		"SHOP_LINE=" + strconv.Itoa(fixtures.Line(t, "shop", "main.go", "main-body")),
	}
}

// buildElsewhere copies a fixture to a directory named build and builds
// it there with -N -l.
func buildElsewhere(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "ci", "build")
	if err := os.CopyFS(src, os.DirFS(fixtures.Dir(name))); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", out, "-gcflags=all=-N -l", ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-buildvcs=false")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s in %s: %v\n%s", name, src, err, b)
	}
	return out
}
