package breakcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/dlvx/dlvx/srcpath"
)

// copyFixture copies a fixture's sources into dir/name.
func copyFixture(t *testing.T, name, dir string) string {
	t.Helper()
	dst := filepath.Join(dir, name)
	if err := os.CopyFS(dst, os.DirFS(fixtures.Dir(name))); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestSourceQuestions(t *testing.T) {
	noopt := fixtures.Build(t, "breakcases", fixtures.NoOpt)
	trimmed := fixtures.Build(t, "breakcases", fixtures.Trimpath)
	tmp := t.TempDir()
	moved := copyFixture(t, "breakcases", tmp)
	link := filepath.Join(tmp, "link")
	if err := os.Symlink(fixtures.Dir("breakcases"), link); err != nil {
		t.Fatal(err)
	}
	real, err := filepath.EvalSymlinks(fixtures.Dir("breakcases"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		bin     string
		source  string
		wantIDs []string
		rule    srcpath.PathRule
	}{
		{"same checkout", noopt, fixtures.Dir("breakcases"), []string{"BP-NOTINBIN-FILES"}, srcpath.PathRule{}},
		{"another checkout", noopt, moved, []string{"BP-NOTINBIN-FILES", "BP-PATH"}, srcpath.PathRule{From: moved, To: real}},
		{"symlinked workspace", noopt, link, []string{"BP-NOTINBIN-FILES", "BP-SYMLINK"}, srcpath.PathRule{From: link, To: real}},
		{"another program", fixtures.Build(t, "worker", fixtures.NoOpt), fixtures.Dir("breakcases"), []string{"BP-NOTINBIN-WORKSPACE"}, srcpath.PathRule{}},
		{"trimpath", trimmed, moved, []string{"BP-NOTINBIN-FILES", "BP-OPT", "BP-PATH", "BP-PATH-GOROOT", "BP-TRIMPATH"}, srcpath.PathRule{From: moved, To: "breakcases"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := NewInput(tc.bin)
			in.Source = tc.source
			// A fixed toolchain layout: the binary's own GOROOT exists here,
			// so only -trimpath's relative names need a GOROOT rule.
			opt := Options{
				Breaks:    []string{filepath.Join(tc.source, "main.go") + ":" + itoa(fixtures.Line(t, "breakcases", "main.go", "print"))},
				Toolchain: &srcpath.Toolchain{GoEnv: func() (string, string, error) { return "/opt/go", "/opt/gomod", nil }},
			}
			rep := doctorWith(t, in, opt)
			if got := findingIDs(rep.Findings); !slices.Equal(got, tc.wantIDs) {
				t.Errorf("findings %v, want %v", got, tc.wantIDs)
			}
			var want []srcpath.PathRule
			if tc.rule != (srcpath.PathRule{}) {
				want = []srcpath.PathRule{tc.rule}
			}
			if tc.bin == trimmed {
				want = append(want, srcpath.PathRule{From: "/opt/go/src", To: ""})
			}
			if !slices.Equal(rep.PathRules, want) {
				t.Errorf("rules %+v, want %+v", rep.PathRules, want)
			}
			if tc.name == "another program" {
				if len(rep.Breaks) != 1 || rep.Breaks[0].Binds {
					t.Errorf("a file of another program binds: %+v", rep.Breaks)
				}
				return
			}
			// With the derived rule applied, the editor's path binds: as the
			// doctor applies it, and as Delve applies the launch.json rule.
			if len(rep.Breaks) != 1 || !rep.Breaks[0].Binds {
				t.Errorf("break with the editor's path does not bind: %+v", rep.Breaks)
			}
			if fd, ok := findingByID(rep.Findings, "BP-PATH"); ok {
				checkRuleBinds(t, tc.bin, finding.BreakVerdict{Location: opt.Breaks[0], Findings: []finding.Finding{fd}})
			}
		})
	}
}

func itoa(n int) string { return fmt.Sprint(n) }
