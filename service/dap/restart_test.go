package dap

import (
	"slices"
	"testing"

	"github.com/dlvx/dlvx/srcpath"
)

// A restart request takes the new configuration's substitutePath as
// Delve does: rules replace the launch's, an empty list keeps them; and
// it marks the target restarting until Delve's initialized event.
func TestRestartRules(t *testing.T) {
	launch := []srcpath.PathRule{{From: "/ws", To: "/build"}}
	cases := []struct {
		name, content string
		want          []srcpath.PathRule
	}{
		{"new rules", `{"seq":5,"type":"request","command":"restart","arguments":{"arguments":{"request":"launch","substitutePath":[{"from":"/ws","to":"/src"}]}}}`, []srcpath.PathRule{{From: "/ws", To: "/src"}}},
		{"empty list", `{"seq":5,"type":"request","command":"restart","arguments":{"arguments":{"request":"launch","substitutePath":[]}}}`, launch},
		{"no arguments", `{"seq":5,"type":"request","command":"restart"}`, launch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &session{}
			s.target.setRules(launch)
			s.restartRequested([]byte(tc.content))
			if got := s.target.Rules(); !slices.Equal(got, tc.want) {
				t.Errorf("rules %v, want %v", got, tc.want)
			}
			if !s.target.takeRestarting() || s.target.takeRestarting() {
				t.Error("the restart is not pending exactly once")
			}
		})
	}
}
