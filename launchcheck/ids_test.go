package launchcheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/finding"
)

// TestEveryIDDocumented: each finding ID the package's source names (a
// string literal such as "ENV-IDECONF-TRIMPATH") has a catalog entry and
// its section in docs/doctor.md, where `dlvx doctor --explain` and the
// Debug Console's "docs:" line send the user. finding's own test keeps
// the catalog and the document in step; this one ties the producers in.
func TestEveryIDDocumented(t *testing.T) {
	docs, err := os.ReadFile(filepath.Join("..", "docs", "doctor.md"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	id := regexp.MustCompile(`^(ENV|AT|BP)-[A-Z0-9]+(-[A-Z0-9]+)+$`)
	known := finding.IDs()
	seen := map[string]bool{}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !id.MatchString(s) || seen[s] {
				return true
			}
			seen[s] = true
			if !slices.Contains(known, s) {
				t.Errorf("%s: %s has no catalog entry", fset.Position(lit.Pos()), s)
			}
			if !regexp.MustCompile(`(?m)^### ` + regexp.QuoteMeta(s) + `\s*$`).Match(docs) {
				t.Errorf("%s: %s has no section in docs/doctor.md", fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
	for _, want := range []string{"ENV-IDECONF-TESTFLAG-BUILD", "ENV-IDECONF-TESTFLAG-ARGS", "ENV-IDECONF-TESTFLAG-AFTER", "ENV-IDECONF-RESTART", "ENV-IDECONF-SUBPATH"} {
		if !seen[want] {
			t.Errorf("the source names no %s: the scan missed it", want)
		}
	}
	t.Logf("%d IDs named in the source", len(seen))
}
