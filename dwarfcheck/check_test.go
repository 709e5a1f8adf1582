package dwarfcheck

import (
	"errors"
	"slices"
	"testing"
)

func TestValidateRejects(t *testing.T) {
	ok := func(*Input) ([]Finding, error) { return nil, nil }
	a := &Check{Name: "a", Run: ok}
	b := &Check{Name: "b", Requires: []*Check{a}, Run: ok}
	orphan := &Check{Name: "c", Requires: []*Check{{Name: "missing", Run: ok}}, Run: ok}
	tests := []struct {
		name   string
		checks []*Check
	}{
		{"duplicate name", []*Check{a, {Name: "a", Run: ok}}},
		{"not kebab-case", []*Check{{Name: "Bad_Name", Run: ok}}},
		{"no run", []*Check{{Name: "x"}}},
		{"requirement after dependent", []*Check{b, a}},
		{"requirement not registered", []*Check{orphan}},
	}
	for _, tc := range tests {
		if err := Validate(tc.checks); err == nil {
			t.Errorf("%s: Validate accepted %v", tc.name, tc.checks)
		}
	}
	if err := Validate([]*Check{a, b}); err != nil {
		t.Errorf("Validate(a, b): %v", err)
	}
}

// TestRunIsolatesFailures: a failing or panicking check is a CheckError,
// its dependents are skipped, and independent checks still run.
func TestRunIsolatesFailures(t *testing.T) {
	boom := errors.New("boom")
	fail := &Check{Name: "fail", Run: func(*Input) ([]Finding, error) { return nil, boom }}
	panics := &Check{Name: "panics", Run: func(*Input) ([]Finding, error) { panic("bad input") }}
	na := &Check{Name: "na", Run: func(*Input) ([]Finding, error) {
		return []Finding{newFinding("AT-NOTGO", ev("test", "why the subject is absent"))}, ErrNotApplicable
	}}
	dep := &Check{Name: "dep", Requires: []*Check{fail}, Run: func(*Input) ([]Finding, error) {
		t.Error("dependent of a failed check ran")
		return nil, nil
	}}
	naDep := &Check{Name: "na-dep", Requires: []*Check{na}, Run: func(*Input) ([]Finding, error) {
		t.Error("dependent of a skipped check ran")
		return nil, nil
	}}
	finds := &Check{Name: "finds", Run: func(*Input) ([]Finding, error) {
		return []Finding{newFinding("BP-PIE", ev("test", "fact"))}, nil
	}}
	clean := &Check{Name: "clean", Run: func(*Input) ([]Finding, error) { return nil, nil }}
	in := &Input{SeverityOverride: map[string]Severity{"BP-PIE": SevError}}
	res, err := Run(in, []*Check{fail, panics, na, dep, naDep, finds, clean})
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, e := range res.Errors {
		failed = append(failed, e.Check)
	}
	if !slices.Equal(failed, []string{"fail", "panics"}) {
		t.Errorf("errors from %v, want fail and panics", failed)
	}
	if !errors.Is(res.Errors[0], boom) {
		t.Errorf("CheckError does not unwrap to the check's error: %v", res.Errors[0])
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
	if pie := res.Findings[1]; pie.Check != "finds" || pie.Severity != SevError {
		t.Errorf("BP-PIE %+v: want check finds, severity overridden to error", pie)
	}
}

func TestSelectKeepsRequirements(t *testing.T) {
	got := Select(BinaryChecks, []string{"optimization"}, nil)
	var names []string
	for _, c := range got {
		names = append(names, c.Name)
	}
	if want := []string{"elf-headers", "go-binary", "compressed-dwarf", "dwarf-units", "optimization"}; !slices.Equal(names, want) {
		t.Errorf("Select(only optimization) = %v, want %v", names, want)
	}
	if err := Validate(got); err != nil {
		t.Error(err)
	}
}
