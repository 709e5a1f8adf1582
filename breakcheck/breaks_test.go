package breakcheck

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/go-delve/delve/pkg/locspec"
	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/pkg/proc/native"
)

// A breakCase is one --break question and the expected verdict.
type breakCase struct {
	loc      string
	binds    bool
	wantIDs  []string // sorted distinct finding IDs
	evidence string   // a substring some evidence fact must contain
}

// marked returns FILE:LINE for a marked line of a fixture, with the file
// named by its base name as a user would type it.
func marked(t *testing.T, fixture, file, label string) string {
	return fmt.Sprintf("%s:%d", file, fixtures.Line(t, fixture, file, label))
}

func TestBreakVerdicts(t *testing.T) {
	bc := func(label string) string { return marked(t, "breakcases", "main.go", label) }
	noopt := []breakCase{
		{loc: bc("add-body"), binds: true},
		{loc: bc("loop-call"), binds: true},
		{loc: "main.add", binds: true},
		{loc: bc("comment-line"), wantIDs: []string{"BP-NOSTMT"},
			evidence: strconv.Itoa(fixtures.Line(t, "breakcases", "main.go", "loop-call"))},
		{loc: bc("unused-body"), wantIDs: []string{"BP-FUNCNAME-REMOVED"}, evidence: "main.unused"},
		{loc: "main.unused", wantIDs: []string{"BP-FUNCNAME-REMOVED"}},
		{loc: marked(t, "breakcases", "tagged.go", "tagged-body"), wantIDs: []string{"BP-NOTINBIN"}, evidence: "of its directory are in the binary"},
		{loc: "main.extra", wantIDs: []string{"BP-FUNCNAME-REMOVED"}, evidence: "//go:build extra"},
		{loc: "nosuch.go:3", wantIDs: []string{"BP-NOTINBIN"}},
		{loc: "/elsewhere/breakcases/main.go:" + strconv.Itoa(fixtures.Line(t, "breakcases", "main.go", "print")),
			wantIDs: []string{"BP-PATH"}, evidence: "closest path in the binary"},
		{loc: "main.ad", wantIDs: []string{"BP-FUNCNAME"}, evidence: "main.add"},
		{loc: "print.go:10", wantIDs: []string{"BP-PATH-AMBIGUOUS"}, evidence: "fmt/print.go"},
	}
	optimized := []breakCase{
		{loc: bc("add-body"), binds: true, wantIDs: []string{"BP-OPT-LINE"}},
		{loc: "main.add", binds: true, wantIDs: []string{"BP-OPT-INLINED", "BP-OPT-LINE"}},
		{loc: bc("unused-body"), wantIDs: []string{"BP-FUNCNAME-REMOVED"}},
		{loc: "main.unused", wantIDs: []string{"BP-FUNCNAME-REMOVED"}},
	}
	work := marked(t, "worker", "main.go", "work-body")
	stripped := []breakCase{
		{loc: work, wantIDs: []string{"BP-NODWARF"}, evidence: "binary is stripped"},
		{loc: "main.main", binds: true},
	}
	strippedInlined := []breakCase{
		{loc: "main.add", wantIDs: []string{"BP-NODWARF"}, evidence: "only as inlined copies"},
		{loc: "main.main", binds: true},
		{loc: bc("loop-call"), wantIDs: []string{"BP-NODWARF"}},
	}
	blind := []breakCase{
		{loc: "main.main", wantIDs: []string{"BP-NODWARF-BLIND"}},
		{loc: work, wantIDs: []string{"BP-NODWARF-BLIND"}},
	}
	suites := []struct {
		name  string
		bin   func(testing.TB) string
		cases []breakCase
	}{
		{"breakcases/noopt", func(t testing.TB) string { return fixtures.Build(t, "breakcases", fixtures.NoOpt) }, noopt},
		{"breakcases/default", func(t testing.TB) string { return fixtures.Build(t, "breakcases", fixtures.Default) }, optimized},
		{"breakcases/pie", func(t testing.TB) string { return fixtures.Build(t, "breakcases", fixtures.PIE) }, optimized},
		{"worker/stripped", func(t testing.TB) string { return fixtures.Build(t, "worker", fixtures.Stripped) }, stripped},
		{"breakcases/stripped", func(t testing.TB) string { return fixtures.Build(t, "breakcases", fixtures.Stripped) }, strippedInlined},
		{"worker/extlink-strip", extLinkStrip, blind},
	}
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) {
			bin := s.bin(t)
			var opt Options
			for _, c := range s.cases {
				opt.Breaks = append(opt.Breaks, c.loc)
			}
			rep := doctorWith(t, NewInput(bin), opt)
			if len(rep.Breaks) != len(s.cases) {
				t.Fatalf("got %d verdicts for %d locations; errors: %v", len(rep.Breaks), len(s.cases), rep.Errors)
			}
			for i, c := range s.cases {
				checkVerdict(t, c, rep.Breaks[i])
				checkRuleBinds(t, bin, rep.Breaks[i])
			}
			crossCheck(t, bin, rep.Breaks)
		})
	}
}

func checkVerdict(t *testing.T, c breakCase, v finding.BreakVerdict) {
	t.Helper()
	if v.Binds != c.binds {
		t.Errorf("%s: binds=%v, want %v (findings %v)", c.loc, v.Binds, c.binds, findingIDs(v.Findings))
	}
	if got := findingIDs(v.Findings); !slices.Equal(got, c.wantIDs) {
		t.Errorf("%s: findings %v, want %v", c.loc, got, c.wantIDs)
	}
	if c.binds && len(v.Addrs) == 0 {
		t.Errorf("%s: binds at no address", c.loc)
	}
	if c.evidence != "" && !hasEvidence(v.Findings, c.evidence) {
		t.Errorf("%s: no evidence mentions %q: %+v", c.loc, c.evidence, v.Findings)
	}
}

func hasEvidence(fs []finding.Finding, sub string) bool {
	for _, f := range fs {
		for _, e := range f.Evidence {
			if strings.Contains(e.Fact, sub) {
				return true
			}
		}
	}
	return false
}

// crossCheck launches bin under Delve, stopped at its entry point, and
// resolves every location the way dlvx's terminal does (locspec.Parse,
// then Find in the current goroutine's scope). Each
// verdict must agree: binds or not, and at the same addresses.
func crossCheck(t *testing.T, bin string, verdicts []finding.BreakVerdict) {
	t.Helper()
	grp, err := native.Launch([]string{bin}, ".", 0, dwarfcheck.DefaultDebugInfoDirs, "", "", proc.OutputRedirect{}, proc.OutputRedirect{})
	if err != nil {
		if !strings.Contains(err.Error(), "could not read debug info") {
			t.Fatalf("launch %s: %v", bin, err)
		}
		// Delve refuses the binary: nothing may bind.
		for _, v := range verdicts {
			if v.Binds {
				t.Errorf("%s: doctor says it binds, Delve cannot load the binary: %v", v.Location, err)
			}
		}
		return
	}
	defer grp.Detach(true)
	tgt := grp.Selected
	base := tgt.BinInfo().Images[0].StaticBase
	// The terminal's break command passes the current goroutine's scope;
	// with it, a name Delve's function index misses is evaluated as an
	// expression (how main.main binds in a stripped binary).
	// As Debugger.findLocation, which ignores the error (scope stays nil).
	scope, _ := proc.ConvertEvalScope(tgt, -1, 0, 0)
	for _, v := range verdicts {
		spec, err := locspec.Parse(v.Location)
		if err != nil {
			t.Fatalf("parse %s: %v", v.Location, err)
		}
		locs, _, err := spec.Find(tgt, nil, scope, v.Location, false, nil)
		if (err == nil) != v.Binds {
			t.Errorf("%s: doctor binds=%v, Delve: %v, %v", v.Location, v.Binds, locs, err)
			continue
		}
		var got, want []uint64
		for _, l := range locs {
			pcs := l.PCs
			if len(pcs) == 0 {
				pcs = []uint64{l.PC} // an address expression: one PC
			}
			for _, pc := range pcs {
				got = append(got, pc-base)
			}
		}
		for _, a := range v.Addrs {
			want = append(want, a.PC)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: doctor addresses %#x, Delve %#x", v.Location, want, got)
		}
	}
}
