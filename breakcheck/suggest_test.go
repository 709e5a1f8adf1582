package breakcheck

import (
	"errors"
	"slices"
	"testing"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/dlvx/dlvx/resolver"
	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/pkg/proc/native"
)

// TestDoctorAndResolverSuggestAlike: a misspelt function gets the same
// suggestions from `dlvx doctor --break NAME` as from the resolver, which
// answers `break NAME+OFF` in a live session.
func TestDoctorAndResolverSuggestAlike(t *testing.T) {
	bin := fixtures.Build(t, "spin", fixtures.NoOpt)
	typos := []string{"main.spni", "main.Spin", "runtime.asyncPremept", "mian.main"}
	rep := doctorWith(t, NewInput(bin), Options{Breaks: typos})
	if len(rep.Breaks) != len(typos) {
		t.Fatalf("%d verdicts for %d locations; errors: %v", len(rep.Breaks), len(typos), rep.Errors)
	}
	grp, err := native.Launch([]string{bin}, ".", 0, dwarfcheck.DefaultDebugInfoDirs, "", "", proc.OutputRedirect{}, proc.OutputRedirect{})
	if err != nil {
		t.Fatalf("launch %s: %v", bin, err)
	}
	defer grp.Detach(true)
	var r resolver.Resolver
	for i, typo := range typos {
		doctor := suggested(rep.Breaks[i])
		_, err := r.Resolve(grp.Selected, &resolver.Spec{Symbol: typo})
		var ue *resolver.UnknownSymbolError
		if !errors.As(err, &ue) {
			t.Errorf("%s: resolver says %v, want an UnknownSymbolError", typo, err)
			continue
		}
		t.Logf("%s: doctor %q, resolver %q", typo, doctor, ue.Closest)
		if len(doctor) == 0 || len(ue.Closest) < len(doctor) || !slices.Equal(doctor, ue.Closest[:len(doctor)]) {
			t.Errorf("%s: doctor suggests %q, resolver %q", typo, doctor, ue.Closest)
		}
	}
}

// suggested returns the functions a BP-FUNCNAME verdict offers to break on.
func suggested(v finding.BreakVerdict) []string {
	var out []string
	for _, f := range v.Findings {
		if f.ID != "BP-FUNCNAME" {
			continue
		}
		for _, fx := range f.Fixes {
			if len(fx.Command) == 2 && fx.Command[0] == "break" {
				out = append(out, fx.Command[1])
			}
		}
	}
	return out
}
