package finding

import (
	"slices"
	"testing"
)

func TestClosest(t *testing.T) {
	names := []string{"main.work", "main.worker", "main.main", "other.work", "runtime.asyncPreempt", "runtime.asyncPreempt2", "runtime.asyncPreempt2"}
	tests := []struct {
		name string
		want []string
	}{
		{"main.wrok", []string{"main.work"}},
		{"pkg.work", []string{"main.work", "other.work"}},
		{"Work", []string{"main.work", "other.work"}},
		{"main.Main", []string{"main.main"}},
		{"main.wor", []string{"main.work", "main.worker"}},
		{"runtime.asyncPremept", []string{"runtime.asyncPreempt", "runtime.asyncPreempt2"}},
		{"zzzzzzzz.q", nil},
	}
	for _, tc := range tests {
		got := Closest(tc.name, names, 2)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Closest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
