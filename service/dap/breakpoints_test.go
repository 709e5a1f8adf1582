package dap

import "testing"

// The verdict comes first; a line of it that only repeats Delve's text
// is dropped, since that text follows.
func TestJoinMessage(t *testing.T) {
	tests := []struct{ why, delve, want string }{
		{"verdict", "", "verdict"},
		{"verdict", "delve says", "verdict\ndelve says"},
		{"verdict\n  delve says\n  fix: x", "delve says", "verdict\n  fix: x\ndelve says"},
		{"verdict\n  delve says more", "delve says", "verdict\n  delve says more\ndelve says"},
	}
	for _, tc := range tests {
		if got := joinMessage(tc.why, tc.delve); got != tc.want {
			t.Errorf("joinMessage(%q, %q) = %q, want %q", tc.why, tc.delve, got, tc.want)
		}
	}
}
