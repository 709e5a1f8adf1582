package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func writePatch(t *testing.T, header string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "0001-x.patch")
	body := header + "---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\nTest: ./after TestIgnored\n"
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadPatchHeader(t *testing.T) {
	p, err := readPatch(writePatch(t, "Description: x\n"+
		"Test: ./cmd/dlvx TestA\n"+
		"Test: github.com/go-delve/delve/pkg/terminal TestB/sub-case\n"+
		"Origin: dlvx\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Catch{{"./cmd/dlvx", "TestA"}, {"github.com/go-delve/delve/pkg/terminal", "TestB/sub-case"}}
	if !slices.Equal(p.Catches, want) || p.Name != "0001-x" {
		t.Fatalf("readPatch = %s %v, want 0001-x %v (lines after the header ignored)", p.Name, p.Catches, want)
	}
	if p.Catches[0].delvePkg() || !p.Catches[1].delvePkg() {
		t.Error("delvePkg does not tell dlvx's packages from Delve's")
	}
}

func TestReadPatchHeaderErrors(t *testing.T) {
	for name, header := range map[string]string{
		"none":          "Description: x\n",
		"no name":       "Test: ./cmd/dlvx\n",
		"two names":     "Test: ./cmd/dlvx TestA TestB\n",
		"not a test":    "Test: ./cmd/dlvx helper\n",
		"other module":  "Test: github.com/google/go-dap TestA\n",
		"absolute path": "Test: /cmd/dlvx TestA\n",
	} {
		if p, err := readPatch(writePatch(t, header)); err == nil {
			t.Errorf("%s: readPatch accepted %q: %v", name, header, p.Catches)
		}
	}
}

func TestGroups(t *testing.T) {
	gs := groups([]Catch{
		{"./cmd/dlvx", "TestA"}, {"./cmd/dlvx", "TestB"}, {"./cmd/dlvx", "TestA"},
		{"./cmd/dlvx", "TestC/sub.1"}, {"./resolver", "TestD"},
	})
	var got []string
	for _, g := range gs {
		got = append(got, g.pkg+" "+g.pattern())
	}
	want := []string{`./cmd/dlvx ^(TestA|TestB)$`, `./cmd/dlvx ^TestC$/^sub\.1$`, `./resolver ^(TestD)$`}
	if !slices.Equal(got, want) {
		t.Fatalf("groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRealPatchHeaders checks, without running anything, that every patch
// names its catching tests and that each exists: a renamed test breaks
// here before anyone runs make patch-check.
func TestRealPatchHeaders(t *testing.T) {
	root := filepath.Join("..", "..")
	patches, err := readPatches(filepath.Join(root, "patches"))
	if err != nil {
		t.Fatal(err)
	}
	var added strings.Builder // Delve's tests come from the patches' added lines
	for _, p := range patches {
		data, err := os.ReadFile(p.Path)
		if err != nil {
			t.Fatal(err)
		}
		added.Write(data)
	}
	for _, p := range patches {
		for _, c := range p.Catches {
			top, _, _ := strings.Cut(c.Name, "/")
			decl := regexp.MustCompile(`(?m)^\+?func ` + regexp.QuoteMeta(top) + `\(`)
			if c.delvePkg() {
				if !decl.MatchString(added.String()) {
					t.Errorf("%s names %s, which no patch adds", p.Name, c)
				}
				continue
			}
			if !declaredIn(t, filepath.Join(root, c.Pkg), decl) {
				t.Errorf("%s names %s, which %s does not declare", p.Name, c, c.Pkg)
			}
		}
	}
}

func declaredIn(t *testing.T, dir string, decl *regexp.Regexp) bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil || len(files) == 0 {
		t.Errorf("no tests in %s: %v", dir, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if decl.Match(data) {
			return true
		}
	}
	return false
}
