package breakcheck

import (
	"encoding/json"
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
	"github.com/dlvx/dlvx/srcpath"
	"github.com/go-delve/delve/pkg/locspec"
)

// buildCopy copies fixture name into dir/where and builds it there with
// flags, as a CI machine builds another checkout; it returns the binary.
func buildCopy(t testing.TB, dir, name, where string, flags ...string) string {
	t.Helper()
	src := filepath.Join(dir, where)
	if err := os.CopyFS(src, os.DirFS(fixtures.Dir(name))); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name+".bin")
	cmd := exec.Command("go", append(append([]string{"build", "-o", out}, flags...), ".")...)
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-buildvcs=false")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v in %s: %v\n%s", cmd.Args, src, err, b)
	}
	return out
}

// launchRule returns the substitutePath rules of a finding's launch.json fix.
func launchRule(t *testing.T, fd finding.Finding) [][2]string {
	t.Helper()
	re := regexp.MustCompile(`"substitutePath": (\[.*\])`)
	for _, fx := range fd.Fixes {
		m := re.FindStringSubmatch(fx.Summary)
		if m == nil {
			continue
		}
		var rules []srcpath.PathRule
		if err := json.Unmarshal([]byte(m[1]), &rules); err != nil {
			t.Fatalf("fix %q: %v", fx.Summary, err)
		}
		var out [][2]string
		for _, r := range rules {
			out = append(out, [2]string{r.From, r.To})
		}
		return out
	}
	t.Fatalf("%s: no launch.json substitutePath fix: %+v", fd.ID, fd.Fixes)
	return nil
}

// checkRuleBinds applies, as Delve's DAP server applies substitutePath
// (locspec.SubstitutePath, client path to server path), the rule a
// BP-PATH verdict proposes to the editor's location, and checks that the
// breakpoint then binds in bin.
func checkRuleBinds(t *testing.T, bin string, v finding.BreakVerdict) {
	t.Helper()
	fd, ok := findingByID(v.Findings, "BP-PATH")
	if !ok {
		return
	}
	i := strings.LastIndexByte(v.Location, ':')
	mapped := locspec.SubstitutePath(v.Location[:i], launchRule(t, fd)) + v.Location[i:]
	in := NewInput(bin)
	defer in.Close()
	got, err := Breaks(in, []string{mapped}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !got[0].Binds {
		t.Errorf("%s: the proposed rule gives %s, which does not bind: %v", v.Location, mapped, findingIDs(got[0].Findings))
	}
}

// TestSameNameFiles checks the verdicts on files whose name the binary
// holds more than once, built in another directory: each gets BP-PATH
// with a rule that, applied, binds it (the rule that maps the editor's
// whole module), or, when the editor's files are not on this machine,
// BP-PATH-AMBIGUOUS with the candidates; never "not compiled in".
func TestSameNameFiles(t *testing.T) {
	tmp := t.TempDir()
	bin := buildCopy(t, tmp, "shop", "ci/build", "-gcflags=all=-N -l")
	editor := fixtures.Dir("shop") // a checkout of the same module, elsewhere
	at := func(file, label string) string {
		return filepath.Join(editor, file) + ":" + strconv.Itoa(fixtures.Line(t, "shop", file, label))
	}
	absent := "/nonexistent-checkout/shop/main.go:" + strconv.Itoa(fixtures.Line(t, "shop", "main.go", "main-body"))
	locs := []string{at("main.go", "main-body"), at("util/main.go", "greeting-body"), absent}
	rep := doctorWith(t, NewInput(bin), Options{Breaks: locs})
	if len(rep.Breaks) != len(locs) {
		t.Fatalf("%d verdicts for %d locations: %v", len(rep.Breaks), len(locs), rep.Errors)
	}
	want := []string{"BP-PATH", "BP-PATH", "BP-PATH-AMBIGUOUS"}
	for i, v := range rep.Breaks {
		if got := findingIDs(v.Findings); v.Binds || !slices.Equal(got, []string{want[i]}) {
			t.Errorf("%s: binds=%v, findings %v; want %s", v.Location, v.Binds, got, want[i])
			continue
		}
		if hasEvidence(v.Findings, "no file named") {
			t.Errorf("%s: claims there is no file of that name: %+v", v.Location, v.Findings)
		}
		checkRuleBinds(t, bin, v)
	}
	amb := rep.Breaks[2].Findings[0]
	for _, c := range []string{"ci/build/main.go", "ci/build/util/main.go"} {
		if !hasEvidence(rep.Breaks[2].Findings, c) {
			t.Errorf("ambiguous verdict does not list %s: %+v", c, amb)
		}
	}
	if len(amb.Fixes) < 2 {
		t.Errorf("ambiguous verdict: want a rule per candidate, got %+v", amb.Fixes)
	}
}

// TestWorkspaceNamedUnlikeModule checks a -trimpath build whose
// workspace directory is not named like the module (a checkout in src/):
// --source proposes the rule, not "not compiled in", and the rule, applied
// to a breakpoint, binds.
func TestWorkspaceNamedUnlikeModule(t *testing.T) {
	tmp := t.TempDir()
	bin := buildCopy(t, tmp, "worker", "src", "-trimpath", "-gcflags=all=-N -l")
	in := NewInput(bin)
	in.Source = filepath.Join(tmp, "src")
	loc := filepath.Join(in.Source, "main.go") + ":" + strconv.Itoa(fixtures.Line(t, "worker", "main.go", "work-body"))
	rep := doctorWith(t, in, Options{Breaks: []string{loc}})
	var path *finding.Finding
	for i, f := range rep.Findings {
		if f.Check == "source" && f.ID == "BP-NOTINBIN" {
			t.Errorf("--source says no workspace file is in the binary: %+v", f)
		}
		if f.Check == "source" && f.ID == "BP-PATH" {
			path = &rep.Findings[i]
		}
	}
	if path == nil {
		t.Fatalf("no BP-PATH from --source: %v", findingIDs(rep.Findings))
	}
	// The doctor applies the rules --source derived to --break.
	if len(rep.Breaks) != 1 || !rep.Breaks[0].Binds {
		t.Fatalf("%s does not bind with the --source rules %v: %+v", loc, rep.PathRules, rep.Breaks)
	}
	checkRuleBinds(t, bin, finding.BreakVerdict{Location: loc, Findings: []finding.Finding{*path}})
}
