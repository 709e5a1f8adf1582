package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// A Catch is one "Test: PKG NAME" line of a patch header: a test that
// passes with every patch and fails when this patch alone is removed.
type Catch struct {
	Pkg  string // "./cmd/dlvx", or a Delve import path run through the replace
	Name string // "TestX" or "TestX/subtest"
}

func (c Catch) String() string { return c.Pkg + " " + c.Name }

// delvePkg reports whether the test lives in the generated Delve tree.
func (c Catch) delvePkg() bool { return strings.HasPrefix(c.Pkg, delveModule+"/") }

const delveModule = "github.com/go-delve/delve"

// A Patch is one file of patches/ with the tests that catch its removal.
type Patch struct {
	Path    string
	Name    string // base name without .patch
	Catches []Catch
}

var (
	testName = regexp.MustCompile(`^(Test|Example|Fuzz)[A-Za-z0-9_]*(/[A-Za-z0-9_.-]+)*$`)
	localPkg = regexp.MustCompile(`^\./[A-Za-z0-9_./-]+$`)
)

// readPatch parses the DEP-3 header of a patch (everything before the
// line "---" or the first "diff --git") for its Test lines.
func readPatch(path string) (*Patch, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p := &Patch{Path: path, Name: strings.TrimSuffix(filepath.Base(path), ".patch")}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "---" || strings.HasPrefix(line, "diff --git ") {
			break
		}
		val, ok := strings.CutPrefix(line, "Test:")
		if !ok {
			continue
		}
		f := strings.Fields(val)
		if len(f) != 2 || !(localPkg.MatchString(f[0]) || strings.HasPrefix(f[0], delveModule+"/")) || !testName.MatchString(f[1]) {
			return nil, fmt.Errorf("%s:%d: want \"Test: ./pkg TestName\" or \"Test: %s/pkg TestName\", got %q", path, n, delveModule, line)
		}
		p.Catches = append(p.Catches, Catch{f[0], f[1]})
	}
	if len(p.Catches) == 0 {
		return nil, fmt.Errorf("%s: no \"Test: ./pkg TestName\" line in the header: every patch names the test that fails without it", path)
	}
	return p, nil
}
