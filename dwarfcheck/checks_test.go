package dwarfcheck

import (
	"debug/buildinfo"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/internal/fixtures"
)

// withBuildInfo returns an Input whose build information is bi, as if read
// from the binary (versions no installable toolchain produces).
func withBuildInfo(path string, bi *buildinfo.BuildInfo) *Input {
	in := NewInput(path)
	in.info = lazy[*buildinfo.BuildInfo]{done: true, v: bi}
	return in
}

func TestGoVersionBounds(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tests := []struct {
		version string
		want    []string
	}{
		{"go1.24.6", []string{"ENV-VERSION-OLD"}},
		{"go1.25rc1", nil},
		{"go1.25.0", nil},
		{"go1.27.9", nil},
		{"go1.28rc2", []string{"ENV-VERSION-NEW"}},
		{"go1.28.0", []string{"ENV-VERSION-NEW"}},
	}
	for _, tc := range tests {
		fs, err := goVersion(withBuildInfo(bin, &buildinfo.BuildInfo{GoVersion: tc.version}))
		if err != nil {
			t.Errorf("%s: %v", tc.version, err)
			continue
		}
		if got := findingIDs(fs); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.version, got, tc.want)
		}
	}
}

func TestBuildInfoSettings(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	bi := &buildinfo.BuildInfo{GoVersion: "go1.26.0"}
	bi.Settings = append(bi.Settings,
		debugSetting("-race", "true"),
		debugSetting("GOEXPERIMENT", "arenas"),
		debugSetting("DefaultGODEBUG", "asynctimerchan=1,asyncpreemptoff=1"),
		debugSetting("vcs.revision", "0123abcd"),
		debugSetting("vcs.modified", "true"))
	in := withBuildInfo(bin, bi)
	in.Source = t.TempDir()
	in.GitHead = func(string) (string, bool, error) { return "fedc9876", false, nil }
	res, err := finding.Run(in, []*Check{ELFHeaders, ExecutableType, GoBinary, BuildInfoPresent, Race, Experiments, Stale}, finding.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"BP-GOEXP", "BP-GOEXP-ASYNCPREEMPTOFF", "BP-RACE", "BP-STALE-MODIFIED", "BP-STALE-REVISION"}
	if got := findingIDs(res.Findings); !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v (errors %v)", got, want, res.Errors)
	}
}

func TestArchitectureMismatch(t *testing.T) {
	in := NewInput(fixtures.Build(t, "worker", fixtures.NoOpt))
	defer in.Close()
	in.HostGOARCH = "arm64"
	fs, err := architecture(in)
	if err != nil || !slices.Equal(findingIDs(fs), []string{"ENV-ARCH"}) {
		t.Errorf("architecture on an arm64 host: %v, %v", fs, err)
	}
}

// TestStaleSources builds a copy of a fixture, then edits a source file.
func TestStaleSources(t *testing.T) {
	src := copyFixture(t, "worker", t.TempDir())
	bin := filepath.Join(t.TempDir(), "worker")
	buildIn(t, src, bin, "-gcflags=all=-N -l")
	if got := findingIDs(doctor(t, NewInput(bin)).Findings); got != nil {
		t.Fatalf("fresh build: %v", got)
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(src, "main.go"), later, later); err != nil {
		t.Fatal(err)
	}
	if got := findingIDs(doctor(t, NewInput(bin)).Findings); !slices.Equal(got, []string{"BP-STALE-MTIME"}) {
		t.Errorf("after editing main.go: %v, want [BP-STALE-MTIME]", got)
	}
}
