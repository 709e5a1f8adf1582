package launchcheck

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/finding"
)

// TestTestFlags: go.testFlags (else go.buildFlags), up to -args, are the
// build flags of vscode-go's debug test sessions; the workspace's setting
// replaces the user's.
func TestTestFlags(t *testing.T) {
	launch, err := os.ReadFile(filepath.Join("testdata", "cases", "clean.json"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, user, workspace string
		want                  []string
		fact                  string
	}{
		{"testFlags", ``, `{"go.testFlags": ["-v", "-trimpath", "-args", "-ldflags=-s"]}`, []string{"ENV-IDECONF-TRIMPATH", "ENV-IDECONF-TESTFLAG-BUILD"}, "settings.json: go.testFlags"},
		{"buildFlags without testFlags", `{"go.buildFlags": ["-ldflags=-s -w"]}`, ``, []string{"ENV-IDECONF-STRIP"}, "go.buildFlags"},
		{"workspace replaces user", `{"go.testFlags": ["-trimpath"]}`, `{"go.testFlags": ["-run", "TestX"]}`, nil, ""},
		{"-v before -args", ``, `{"go.testFlags": ["-v", "-count=1"]}`, []string{"ENV-IDECONF-TESTFLAG-BUILD"}, "settings.json: go.testFlags"},
		{"-v after -args too", ``, `{"go.testFlags": ["-v", "-args", "-test.v"]}`, nil, ""},
		{"flags after -args", ``, `{"go.testFlags": ["-args", "-trimpath"]}`, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, c := newCase(t, launch, fakeDlv(t, "", "v1.27.2"))
			dir := t.TempDir()
			var files []string
			for i, s := range []string{tc.user, tc.workspace} {
				p := filepath.Join(dir, []string{"user", "workspace"}[i]+"-settings.json")
				if s != "" {
					os.WriteFile(p, []byte(s), 0o644)
				}
				files = append(files, p)
			}
			s, err := ReadSettings(files...)
			if err != nil {
				t.Fatal(err)
			}
			s.AlternateDlv = c.opt.Settings.AlternateDlv
			c.opt.Settings = s
			rep, err := Doctor(f, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(rep.Findings)
			if !sameIDs(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			if tc.fact != "" {
				i := slices.IndexFunc(rep.Findings, func(f finding.Finding) bool { return f.ID == tc.want[0] })
				if src := rep.Findings[i].Evidence[0].Source; !strings.Contains(src, tc.fact) {
					t.Errorf("evidence from %q, want %q", src, tc.fact)
				}
			}
		})
	}
}

// TestSettingsTestFlagsFix: the go.testFlags fix keeps the flags for go
// test runs and repeats them after -args as -test.NAME for debug test
// sessions; selection flags (-run) are left to vscode-go's own -test.run,
// and -timeout, which a session paused at a breakpoint would hit, dropped.
func TestSettingsTestFlagsFix(t *testing.T) {
	all := []string{"-v", "-run", "TestX", "-timeout=30s"}
	src := flagSource{where: "settings:settings.json: go.testFlags", kind: "go.testFlags", flags: all}
	fd, ok := settingsTestFlags(src, all)
	if !ok || fd.ID != "ENV-IDECONF-TESTFLAG-BUILD" || len(fd.Evidence) != 1 {
		t.Fatalf("got %v %+v, want TESTFLAG-BUILD for -v", ok, fd)
	}
	want := `settings.json: "go.testFlags": ["-v","-run","TestX","-timeout=30s","-args","-test.v"]`
	if len(fd.Fixes) != 1 || fd.Fixes[0].Summary != want {
		t.Errorf("fix %+v, want %s", fd.Fixes, want)
	}
}
