package launchcheck

import (
	"slices"
	"strings"
	"testing"
)

// TestRestart: which changes between a launch and its restart Delve keeps
// from the launch, by attribute.
func TestRestart(t *testing.T) {
	launched := `{"name": "app", "mode": "debug", "program": ".", "buildFlags": "-tags=a", "env": {"A": "1", "B": "2"}, "args": ["x"]}`
	cases := []struct {
		name, args string
		want       []string // attributes named in the evidence
	}{
		{"same, respelled", `{"args": ["x"], "env": {"B": "2", "A": "1"}, "buildFlags": "-tags=a", "program": ".", "mode": "debug", "name": "app"}`, nil},
		{"new program arguments and settings", `{"name": "app", "mode": "debug", "program": ".", "buildFlags": "-tags=a", "env": {"A": "1", "B": "2"}, "args": ["y"], "stopOnEntry": true}`, nil},
		{"build flags", `{"name": "app", "mode": "debug", "program": ".", "buildFlags": "-tags=b", "env": {"A": "1", "B": "2"}}`, []string{"buildFlags"}},
		{"env and cwd", `{"name": "app", "mode": "debug", "program": ".", "buildFlags": "-tags=a", "env": {"A": "1"}, "cwd": "sub"}`, []string{"env", "cwd"}},
		{"flags removed, mode", `{"name": "app", "mode": "test", "program": "."}`, []string{"mode", "buildFlags", "env"}},
		{"attach", `{"request": "attach", "mode": "local", "processId": 1}`, nil},
		{"no configuration", ``, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Restart([]byte(tc.args), []byte(launched))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Findings {
				if f.ID != "ENV-IDECONF-RESTART" {
					t.Errorf("finding %s", f.ID)
				}
				for _, e := range f.Evidence {
					got = append(got, strings.TrimPrefix(e.Source, "dap:restart.arguments."))
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("attributes %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := Restart([]byte(`[1]`), []byte(launched)); err == nil {
		t.Error("restart arguments that are not an object: no error")
	}
}
