package finding

import "testing"

func TestRebuildFix(t *testing.T) {
	tests := []struct {
		b    Build
		want string
	}{
		{Build{}, "go build '-gcflags=all=-N -l' ."},
		{Build{Out: "app-debug", Pkg: "example.com/app"}, "go build '-gcflags=all=-N -l' -o app-debug example.com/app"},
		{Build{Env: []string{"GOARCH=arm64", "CGO_CFLAGS=-O0 -g"}}, "env GOARCH=arm64 'CGO_CFLAGS=-O0 -g' go build '-gcflags=all=-N -l' ."},
	}
	for _, tc := range tests {
		fx := RebuildFix("rebuild", tc.b)
		if got := fx.CommandLine(); got != tc.want || fx.Summary != "rebuild" {
			t.Errorf("RebuildFix(%+v) = %q %q, want %q", tc.b, fx.Summary, got, tc.want)
		}
	}
}
