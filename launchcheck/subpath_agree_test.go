package launchcheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/breakcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/dlvx/dlvx/srcpath"
)

// TestWrongRuleOneCorrection: for a launch.json whose substitutePath is
// wrong, the launch lint's corrected rule and the rule of the breakpoint
// explainer's BP-PATH verdict (breakcheck, with the configuration's rules
// applied as Delve applies them) are the same rule, and that rule, applied,
// binds the breakpoint.
func TestWrongRuleOneCorrection(t *testing.T) {
	dlv := fakeDlv(t, "", "v1.27.2")
	line, err := fixtures.FindLine(filepath.Join("testdata", "ws", "main.go"), "loop")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"subpath-wrong", "subpath-reversed"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "cases", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			f, c := newCase(t, data, dlv)
			rep, err := Doctor(f, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.PathRules) != 1 {
				t.Fatalf("the lint gives rules %v (findings %v), want one", rep.PathRules, ids(rep.Findings))
			}
			lint := rep.PathRules[0]
			lint.From = strings.ReplaceAll(lint.From, "${workspaceFolder}", c.ws) // as VS Code expands it

			rules := f.Configs[0].Resolve(c.opt.Vars).SubstitutePath // what VS Code sends
			loc := filepath.Join(c.ws, "main.go") + ":" + strconv.Itoa(line)
			v := explain(t, filepath.Join(c.ws, "app"), loc, rules)
			if v.Binds || len(v.Findings) != 1 || v.Findings[0].ID != "BP-PATH" {
				t.Fatalf("explainer: binds=%v, findings %+v; want BP-PATH", v.Binds, v.Findings)
			}
			got := fixRule(t, v.Findings[0])
			if got != lint {
				t.Errorf("the explainer proposes %+v, the lint %+v", got, lint)
			}
			if v := explain(t, filepath.Join(c.ws, "app"), loc, []srcpath.PathRule{lint}); !v.Binds {
				t.Errorf("%s does not bind with the corrected rule %+v: %+v", loc, lint, v.Findings)
			}
		})
	}
}

// explain gives breakcheck's verdict on loc in bin under rules, as the
// DAP layer's explainer asks for it.
func explain(t *testing.T, bin, loc string, rules []srcpath.PathRule) finding.BreakVerdict {
	t.Helper()
	in := breakcheck.NewInput(bin)
	defer in.Close()
	vs, err := breakcheck.Breaks(in, []string{loc}, rules)
	if err != nil || len(vs) != 1 {
		t.Fatalf("breaks %s: %v (%d verdicts)", loc, err, len(vs))
	}
	return vs[0]
}

var ruleFix = regexp.MustCompile(`^launch.json: "substitutePath": (\[.*\])$`)

// fixRule returns the one rule of a finding's launch.json fix.
func fixRule(t *testing.T, fd finding.Finding) srcpath.PathRule {
	t.Helper()
	for _, fx := range fd.Fixes {
		if m := ruleFix.FindStringSubmatch(fx.Summary); m != nil {
			var rs []srcpath.PathRule
			if err := json.Unmarshal([]byte(m[1]), &rs); err != nil || len(rs) != 1 {
				t.Fatalf("fix %q: %v", fx.Summary, err)
			}
			return rs[0]
		}
	}
	t.Fatalf("%s has no launch.json rule: %+v", fd.ID, fd.Fixes)
	return srcpath.PathRule{}
}
