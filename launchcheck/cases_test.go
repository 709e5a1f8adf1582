package launchcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// caseEnv is one case's workspace: testdata/ws copied, with app, a binary
// built from another copy of it at buildDir (a checkout elsewhere).
type caseEnv struct {
	ws, buildDir string
	opt          Options
}

func newCase(t *testing.T, launch []byte, dlv string) (*File, caseEnv) {
	t.Helper()
	root := t.TempDir()
	c := caseEnv{ws: filepath.Join(root, "ws"), buildDir: filepath.Join(root, "build", "src")}
	copyDir(t, filepath.Join("testdata", "ws"), c.ws)
	copyDir(t, filepath.Join("testdata", "ws"), c.buildDir)
	if strings.Contains(string(launch), "/app") {
		goBuild(t, c.buildDir, nil, "build", "-gcflags=all=-N -l", "-o", filepath.Join(c.ws, "app"), ".")
	}
	path := filepath.Join(c.ws, ".vscode", "launch.json")
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, launch, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"BUILD_DIR": c.buildDir, "PATH": os.Getenv("PATH")}
	c.opt = Options{
		Vars:     Vars{WorkspaceFolder: c.ws, Home: root, Getenv: mapEnv(env)},
		Settings: &Settings{AlternateDlv: dlv},
		Host:     fakeHost(t),
		TempDir:  t.TempDir(),
	}
	return f, c
}

// TestCases runs each launch.json of testdata/cases (comments and trailing
// commas included) against a copy of testdata/ws and compares the finding
// IDs with the case's "// want:" line.
func TestCases(t *testing.T) {
	dlv := fakeDlv(t, "", "v1.27.2")
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			f, c := newCase(t, data, dlv)
			rep, err := Doctor(f, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Errors) > 0 {
				t.Fatalf("checks failed: %v", rep.Errors[0])
			}
			want := wantIDs(t, data)
			if got := ids(rep.Findings); !sameIDs(got, want) {
				for _, f := range rep.Findings {
					t.Logf("%s: %s %v", f.ID, f.Title, f.Evidence)
				}
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}
