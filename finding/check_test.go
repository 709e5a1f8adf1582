package finding

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// in is a test input: the runner is generic over what checks read.
type in struct{ n int }

func TestValidateRejects(t *testing.T) {
	ok := func(in) ([]Finding, error) { return nil, nil }
	a := &Check[in]{Name: "a", Run: ok}
	b := &Check[in]{Name: "b", Requires: []*Check[in]{a}, Run: ok}
	orphan := &Check[in]{Name: "c", Requires: []*Check[in]{{Name: "missing", Run: ok}}, Run: ok}
	tests := []struct {
		name   string
		checks []*Check[in]
	}{
		{"duplicate name", []*Check[in]{a, {Name: "a", Run: ok}}},
		{"not kebab-case", []*Check[in]{{Name: "Bad_Name", Run: ok}}},
		{"no run", []*Check[in]{{Name: "x"}}},
		{"requirement after dependent", []*Check[in]{b, a}},
		{"requirement not registered", []*Check[in]{orphan}},
	}
	for _, tc := range tests {
		if err := Validate(tc.checks); err == nil {
			t.Errorf("%s: Validate accepted %v", tc.name, tc.checks)
		}
	}
	if err := Validate([]*Check[in]{a, b}); err != nil {
		t.Errorf("Validate(a, b): %v", err)
	}
}

// TestRunIsolatesFailures: a failing or panicking check is a CheckError,
// its dependents are skipped, independent checks still run, and the
// severity policy of Options applies.
func TestRunIsolatesFailures(t *testing.T) {
	boom := errors.New("boom")
	fail := &Check[in]{Name: "fail", Run: func(in) ([]Finding, error) { return nil, boom }}
	panics := &Check[in]{Name: "panics", Run: func(in) ([]Finding, error) { panic("bad input") }}
	na := &Check[in]{Name: "na", Run: func(in) ([]Finding, error) {
		return []Finding{New("AT-NOTGO", Evidencef("test", "why the subject is absent"))}, ErrNotApplicable
	}}
	dep := &Check[in]{Name: "dep", Requires: []*Check[in]{fail}, Run: func(in) ([]Finding, error) {
		t.Error("dependent of a failed check ran")
		return nil, nil
	}}
	naDep := &Check[in]{Name: "na-dep", Requires: []*Check[in]{na}, Run: func(in) ([]Finding, error) {
		t.Error("dependent of a skipped check ran")
		return nil, nil
	}}
	finds := &Check[in]{Name: "finds", Run: func(x in) ([]Finding, error) {
		return []Finding{New("BP-PIE", Evidencef("test", "fact %d", x.n))}, nil
	}}
	clean := &Check[in]{Name: "clean", Run: func(in) ([]Finding, error) { return nil, nil }}
	opt := Options{Severity: map[string]Severity{"BP-PIE": SevError}}
	res, err := Run(in{n: 7}, []*Check[in]{fail, panics, na, dep, naDep, finds, clean}, opt)
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, e := range res.Errors {
		failed = append(failed, e.Check)
	}
	if !slices.Equal(failed, []string{"fail", "panics"}) {
		t.Fatalf("errors from %v, want fail and panics", failed)
	}
	if !errors.Is(res.Errors[0], boom) {
		t.Errorf("CheckError does not unwrap to the check's error: %v", res.Errors[0])
	}
	var pe *PanicError
	if errors.As(res.Errors[0], &pe) {
		t.Errorf("an ordinary error is a PanicError: %v", res.Errors[0])
	}
	if !errors.As(res.Errors[1], &pe) || pe.Value != "bad input" || !strings.Contains(string(pe.Stack), "check_test.go") {
		t.Errorf("panic is not a PanicError with the value and the panicking stack: %#v", res.Errors[1].Err)
	}
	if got := Panics(res.Errors); len(got) != 1 || got[0] != pe {
		t.Errorf("Panics found %v, want the one PanicError", got)
	}
	if !slices.Equal(res.Skipped, []string{"na", "dep", "na-dep"}) {
		t.Errorf("skipped %v", res.Skipped)
	}
	if !slices.Equal(res.Passed, []string{"clean"}) {
		t.Errorf("passed %v", res.Passed)
	}
	if got := findingIDs(res.Findings); !slices.Equal(got, []string{"AT-NOTGO", "BP-PIE"}) {
		t.Fatalf("findings %v: want AT-NOTGO from na and BP-PIE from finds", got)
	}
	if pie := res.Findings[1]; pie.Check != "finds" || pie.Severity != SevError || pie.Evidence[0].Fact != "fact 7" {
		t.Errorf("BP-PIE %+v: want check finds, severity overridden to error, the input's fact", pie)
	}
	rep := &Report{Result: *res}
	if rep.ExitCode() != ExitFailed {
		t.Errorf("exit code %d with a panicked check, want %d", rep.ExitCode(), ExitFailed)
	}
}

func TestSelectKeepsRequirements(t *testing.T) {
	ok := func(in) ([]Finding, error) { return nil, nil }
	a := &Check[in]{Name: "a", Run: ok}
	b := &Check[in]{Name: "b", Requires: []*Check[in]{a}, Run: ok}
	c := &Check[in]{Name: "c", Run: ok}
	d := &Check[in]{Name: "d", Requires: []*Check[in]{b}, Run: ok}
	all := []*Check[in]{a, b, c, d}
	names := func(cs []*Check[in]) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Name)
		}
		return out
	}
	if got := names(Select(all, []string{"d"}, nil)); !slices.Equal(got, []string{"a", "b", "d"}) {
		t.Errorf("Select(only d) = %v, want a b d", got)
	}
	if got := names(Select(all, nil, []string{"c", "d"})); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Select(skip c, d) = %v, want a b", got)
	}
}

func findingIDs(fs []Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	return ids
}
