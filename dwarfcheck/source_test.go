package dwarfcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

func TestInferRule(t *testing.T) {
	ws := []string{"/home/ana/svc/main.go", "/home/ana/svc/api/handler.go", "/home/ana/svc/api/util.go"}
	tests := []struct {
		name string
		bin  []string
		fold bool
		want PathRule
	}{
		{"same paths", []string{"/home/ana/svc/main.go", "/home/ana/svc/api/handler.go"}, false, PathRule{"/home/ana/svc", "/home/ana/svc"}},
		{"container build", []string{"/app/main.go", "/app/api/handler.go", "/usr/local/go/src/fmt/print.go"}, false,
			PathRule{"/home/ana/svc", "/app"}},
		{"trimpath", []string{"example.com/svc/main.go", "example.com/svc/api/handler.go", "fmt/print.go"}, false,
			PathRule{"/home/ana/svc", "example.com/svc"}},
		{"letter case", []string{"/home/ana/SVC/main.go", "/home/ana/SVC/api/handler.go"}, true,
			PathRule{"/home/ana/svc", "/home/ana/SVC"}},
	}
	for _, tc := range tests {
		got, n := inferRule("/home/ana/svc", ws, tc.bin, tc.fold)
		if got != tc.want || n == 0 {
			t.Errorf("%s: inferRule = %+v (%d votes), want %+v", tc.name, got, n, tc.want)
		}
		if got.From != got.To {
			if mapped := applyRules(ws[1], []PathRule{got}); !slices.Contains(tc.bin, mapped) {
				t.Errorf("%s: rule maps %s to %s, not a binary file", tc.name, ws[1], mapped)
			}
		}
	}
}

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
		rule    PathRule
	}{
		{"same checkout", noopt, fixtures.Dir("breakcases"), []string{"BP-NOTINBIN"}, PathRule{}},
		{"another checkout", noopt, moved, []string{"BP-NOTINBIN", "BP-PATH"}, PathRule{moved, real}},
		{"symlinked workspace", noopt, link, []string{"BP-NOTINBIN", "BP-SYMLINK"}, PathRule{link, real}},
		{"another program", fixtures.Build(t, "worker", fixtures.NoOpt), fixtures.Dir("breakcases"), []string{"BP-NOTINBIN"}, PathRule{}},
		{"trimpath", trimmed, moved, []string{"BP-NOTINBIN", "BP-OPT", "BP-PATH", "BP-PATH-GOROOT", "BP-TRIMPATH"}, PathRule{moved, "breakcases"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := NewInput(tc.bin)
			in.Source = tc.source
			// A fixed toolchain layout: the binary's own GOROOT exists here,
			// so only -trimpath's relative names need a GOROOT rule.
			in.GoEnv = func() (string, string, error) { return "/opt/go", "/opt/gomod", nil }
			in.GoVersion = nil
			in.Breaks = []string{filepath.Join(tc.source, "main.go") + ":" + itoa(fixtures.Line(t, "breakcases", "main.go", "print"))}
			rep := doctor(t, in)
			if got := findingIDs(rep.Findings); !slices.Equal(got, tc.wantIDs) {
				t.Errorf("findings %v, want %v", got, tc.wantIDs)
			}
			var want []PathRule
			if tc.rule != (PathRule{}) {
				want = []PathRule{tc.rule}
			}
			if tc.bin == trimmed {
				want = append(want, PathRule{From: "/opt/go/src", To: ""})
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
			// With the derived rule applied, the editor's path binds.
			if len(rep.Breaks) != 1 || !rep.Breaks[0].Binds {
				t.Errorf("break with the editor's path does not bind: %+v", rep.Breaks)
			}
		})
	}
}

func itoa(n int) string { return fmt.Sprint(n) }
