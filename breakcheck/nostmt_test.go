package breakcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/internal/fixtures"
)

// proposedLines returns every line number a BP-NOSTMT finding proposes:
// in its fixes' commands and in its "nearest lines" evidence.
func proposedLines(t *testing.T, fd finding.Finding) []int {
	t.Helper()
	var out []int
	for _, fx := range fd.Fixes {
		for _, a := range fx.Command {
			if i := strings.LastIndexByte(a, ':'); i > 0 {
				if n, err := strconv.Atoi(a[i+1:]); err == nil {
					out = append(out, n)
				}
			}
		}
	}
	list := regexp.MustCompile(`nearest lines with statements.*: ([0-9, ]+)$`)
	for _, e := range fd.Evidence {
		if m := list.FindStringSubmatch(e.Fact); m != nil {
			for _, f := range strings.Split(m[1], ", ") {
				n, err := strconv.Atoi(f)
				if err != nil {
					t.Fatalf("evidence %q: %v", e.Fact, err)
				}
				out = append(out, n)
			}
		}
	}
	return out
}

// TestNoStatementAdvice checks that the lines proposed for a line without
// a statement stay inside the function enclosing it, in optimized and
// unoptimized builds, with the source at hand or only the binary; and
// that a line outside every function proposes none and says so.
func TestNoStatementAdvice(t *testing.T) {
	mark := func(label string) int { return fixtures.Line(t, "moves", "main.go", label) }
	mainStart, mainEnd := mark("main-start"), mark("main-end")
	builds := []struct {
		name string
		bin  func(testing.TB) string
		file string // as given to --break
	}{
		{"noopt", func(t testing.TB) string { return fixtures.Build(t, "moves", fixtures.NoOpt) }, filepath.Join(fixtures.Dir("moves"), "main.go")},
		{"default", func(t testing.TB) string { return fixtures.Build(t, "moves", fixtures.Default) }, filepath.Join(fixtures.Dir("moves"), "main.go")},
		{"no-source", buildWithoutSource, "main.go"},
	}
	// Lines outside every function, and what the evidence must say
	// about each (without the source, the binary's line table only tells
	// that the line is outside its functions).
	outside := []struct {
		line int
		want string
	}{
		{mark("package"), "before the first function"},
		{mark("import"), "before the first function"},
		{mark("after-decls"), "before the first function"},
		{mark("between-funcs"), "between two functions"},
		{mainEnd + 1, "after the last function"},
	}
	for _, b := range builds {
		t.Run(b.name, func(t *testing.T) {
			bin := b.bin(t)
			loc := func(n int) string { return b.file + ":" + strconv.Itoa(n) }
			locs := []string{loc(mark("comment-in-main"))}
			for _, o := range outside {
				locs = append(locs, loc(o.line))
			}
			rep := doctorWith(t, NewInput(bin), Options{Breaks: locs})
			if len(rep.Breaks) != len(locs) {
				t.Fatalf("%d verdicts for %d locations: %v", len(rep.Breaks), len(locs), rep.Errors)
			}
			for i, v := range rep.Breaks {
				if i == 0 {
					checkInside(t, v, mainStart, mainEnd, b.name == "noopt", mark("two-calls"))
					continue
				}
				want := outside[i-1].want
				if b.name == "no-source" {
					want = "" // the line table knows only that it is outside
				}
				checkOutside(t, v, want)
			}
		})
	}
}

// checkInside checks the verdict for a line without a statement inside
// main: BP-NOSTMT proposing lines of main only; next, when not 0, among them.
func checkInside(t *testing.T, v finding.BreakVerdict, start, end int, wantNext bool, next int) {
	t.Helper()
	fd, ok := findingByID(v.Findings, "BP-NOSTMT")
	if v.Binds || !ok {
		t.Errorf("%s: binds=%v, findings %v; want BP-NOSTMT", v.Location, v.Binds, findingIDs(v.Findings))
		return
	}
	lines := proposedLines(t, fd)
	if len(lines) == 0 {
		t.Errorf("%s: no line proposed inside main: %+v", v.Location, fd)
	}
	for _, n := range lines {
		if n < start || n > end {
			t.Errorf("%s: proposes line %d, outside main (lines %d-%d): %+v", v.Location, n, start, end, fd)
		}
	}
	if wantNext && !slices.Contains(lines, next) {
		t.Errorf("%s: the next statement, line %d, is not proposed: %v", v.Location, next, lines)
	}
}

// anyOutside matches the evidence of a line outside every function.
var anyOutside = regexp.MustCompile(`is (before the first|between two|after the last) function`)

// checkOutside checks the verdict for a line outside every function:
// BP-NOSTMT proposing no line, its evidence saying want (or, for "", that
// the line is outside every function).
func checkOutside(t *testing.T, v finding.BreakVerdict, want string) {
	t.Helper()
	fd, ok := findingByID(v.Findings, "BP-NOSTMT")
	if v.Binds || !ok {
		t.Errorf("%s: binds=%v, findings %v; want BP-NOSTMT", v.Location, v.Binds, findingIDs(v.Findings))
		return
	}
	if lines := proposedLines(t, fd); len(lines) > 0 {
		t.Errorf("%s: outside every function, yet proposes lines %v", v.Location, lines)
	}
	if want == "" {
		if !slices.ContainsFunc(fd.Evidence, func(e finding.Evidence) bool { return anyOutside.MatchString(e.Fact) }) {
			t.Errorf("%s: no evidence says the line is outside every function: %+v", v.Location, fd)
		}
	} else if !hasEvidence(v.Findings, want) {
		t.Errorf("%s: evidence does not say %q: %+v", v.Location, want, fd)
	}
}

// buildWithoutSource builds the moves fixture from a copy that is then
// removed, so only the binary's line table gives function bounds.
func buildWithoutSource(t testing.TB) string {
	return derive(t, "moves-nosource", func(t testing.TB, dir string) string {
		src := filepath.Join(dir, "src")
		if err := os.CopyFS(src, os.DirFS(fixtures.Dir("moves"))); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "moves")
		cmd := exec.Command("go", "build", "-o", out, "-gcflags=all=-N -l", ".")
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-buildvcs=false")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", cmd, err, b)
		}
		if err := os.RemoveAll(src); err != nil {
			t.Fatal(err)
		}
		return out
	})
}

func findingByID(fs []finding.Finding, id string) (finding.Finding, bool) {
	for _, f := range fs {
		if f.ID == id {
			return f, true
		}
	}
	return finding.Finding{}, false
}
