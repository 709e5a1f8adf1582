package breakcheck

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/internal/fixtures"
)

// TestPlace checks where Lines places line breakpoints, in -N -l and
// optimized builds: a statement stays, a line without one moves to the
// next statement of its function (never out of it), a line outside every
// function does not bind.
func TestPlace(t *testing.T) {
	mark := func(label string) int { return fixtures.Line(t, "moves", "main.go", label) }
	src := filepath.Join(fixtures.Dir("moves"), "main.go")
	for _, v := range []fixtures.Variant{fixtures.NoOpt, fixtures.Default} {
		t.Run(v.Name, func(t *testing.T) {
			in := dwarfcheck.NewInput(fixtures.Build(t, "moves", v))
			defer in.Close()
			bi, err := loadDelve(in)
			if err != nil {
				t.Fatal(err)
			}
			defer bi.Close()
			l, err := NewLines(bi)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if p := l.Place(src, src, mark("print")); p.Line != mark("print") || p.Reason != "" {
				t.Errorf("statement line: %+v, want it kept", p)
			}
			p := l.Place(src, src, mark("comment-in-main"))
			if !p.Moved(mark("comment-in-main")) || p.Line <= mark("comment-in-main") || p.Line > mark("main-end") || p.Function != "main" {
				t.Errorf("comment line in main: %+v, want the next statement of main", p)
			}
			if v.Name == "noopt" && p.Line != mark("two-calls") {
				t.Errorf("comment line in main moves to %d, want %d", p.Line, mark("two-calls"))
			}
			if len(l.Statements(src, p.Line, p.Line)) != 1 {
				t.Errorf("the line it moves to, %d, is not among Statements", p.Line)
			}
			p = l.Place(src, src, mark("between-funcs"))
			if p.Line != 0 || !strings.Contains(p.Reason, "between two functions") {
				t.Errorf("line between functions: %+v, want no line and the reason", p)
			}
			if p := l.Place("/elsewhere/main.go", "", 3); p.Line != 3 {
				t.Errorf("a file the binary lacks: %+v, want it placed where asked", p)
			}
		})
	}
}
