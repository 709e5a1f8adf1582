package launchcheck

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/finding"
)

// requestEnv is a workspace (a copy of testdata/ws) and app, a binary built
// from another copy of it at buildDir.
type requestEnv struct{ ws, buildDir, app string }

func newRequestEnv(t *testing.T) requestEnv {
	t.Helper()
	root := t.TempDir()
	e := requestEnv{ws: filepath.Join(root, "ws"), buildDir: filepath.Join(root, "build", "src")}
	copyDir(t, filepath.Join("testdata", "ws"), e.ws)
	copyDir(t, filepath.Join("testdata", "ws"), e.buildDir)
	e.app = filepath.Join(e.ws, "app")
	goBuild(t, e.buildDir, nil, "build", "-gcflags=all=-N -l", "-o", e.app, ".")
	return e
}

// expand replaces WS, BUILD and APP in a request's arguments.
func (e requestEnv) expand(args string) []byte {
	return []byte(strings.NewReplacer("WS", e.ws, "BUILD", e.buildDir, "APP", e.app).Replace(args))
}

func lintRequest(t *testing.T, command string, args []byte, dir string, env map[string]string) *finding.Report {
	t.Helper()
	rep, err := Request(command, args, RequestOptions{Dir: dir, Getenv: mapEnv(env)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) > 0 {
		t.Fatalf("check failed: %v", rep.Errors[0])
	}
	return rep
}

// TestRequest: the arguments of DAP requests as VS Code sends them (after
// vscode-go resolved the configuration) and as other clients send them.
// Each case's findings, by ID, and the fact that names the cause.
func TestRequest(t *testing.T) {
	e := newRequestEnv(t)
	// What vscode-go adds to every launch (goDebugConfiguration.ts): never
	// unknown attributes.
	vscode := `"type": "go", "request": "launch", "__buildDir": "WS", "__sessionId": "x", "dlvToolPath": "/usr/bin/dlv", "packagePathToGoModPathMap": {}, "showLog": false, "logOutput": "debugger", "dlvFlags": [], "hideSystemGoroutines": false, "env": {}`
	cases := []struct {
		name, command, args, dir string
		env                      map[string]string
		want                     []string
		fact                     string // in the first finding's evidence
	}{
		{"clean debug", "launch", `{"name": "Launch Package", "mode": "debug", "program": ".", ` + vscode + `}`, "WS", nil, nil, ""},
		{"trimpath", "launch", `{"name": "t", "mode": "debug", "program": ".", "buildFlags": "-trimpath", ` + vscode + `}`, "WS", nil, []string{"ENV-IDECONF-TRIMPATH"}, `"buildFlags": "-trimpath"`},
		{"GOFLAGS of the debugger", "launch", `{"mode": "debug", "program": "WS"}`, "/", map[string]string{"GOFLAGS": "-trimpath"}, []string{"ENV-IDECONF-TRIMPATH"}, "in the debugger's environment"},
		{"env.GOFLAGS strip", "launch", `{"mode": "debug", "program": "WS", "env": {"GOFLAGS": "-ldflags=-w"}}`, "/", nil, []string{"ENV-IDECONF-STRIP"}, "-w"},
		{"string gcflags reaches Delve", "launch", `{"mode": "debug", "program": "WS", "buildFlags": "-gcflags=-l"}`, "/", nil, []string{"ENV-IDECONF-GCFLAGS"}, `"buildFlags": "-gcflags=-l"`},
		{"misspelled", "launch", `{"mode": "exec", "program": "APP", "substitutepath": [], "substitutePath": [{"from": "WS", "to": "BUILD"}]}`, "/", nil, []string{"ENV-IDECONF-UNKNOWN"}, `"substitutepath" is not an attribute`},
		{"auto reaches Delve", "launch", `{"mode": "auto", "program": "WS"}`, "/", nil, []string{"ENV-IDECONF-MODE-UNKNOWN"}, "debug, test, exec, replay, core"},
		{"exec of a directory", "launch", `{"mode": "exec", "program": "WS"}`, "/", nil, []string{"ENV-IDECONF-MODE"}, "needs an executable"},
		{"relative to dlvCwd", "launch", `{"mode": "exec", "program": "./app", "dlvCwd": "WS", "substitutePath": [{"from": "WS", "to": "BUILD"}]}`, "/", nil, nil, ""},
		{"relative to the debugger's directory", "launch", `{"mode": "exec", "program": "./app"}`, "/", nil, []string{"ENV-IDECONF-PROGRAM"}, "no such file"},
		{"cwd", "launch", `{"mode": "exec", "program": "APP", "cwd": "data", "substitutePath": [{"from": "WS", "to": "BUILD"}]}`, "WS", nil, []string{"ENV-IDECONF-CWD"}, "debugger's working directory"},
		{"rule right", "launch", `{"mode": "exec", "program": "APP", "substitutePath": [{"from": "WS", "to": "BUILD"}]}`, "/", nil, nil, ""},
		{"rule wrong", "launch", `{"mode": "exec", "program": "APP", "substitutePath": [{"from": "WS", "to": "/go/src/app"}]}`, "/", nil, []string{"ENV-IDECONF-SUBPATH"}, "workspace files are in the binary under BUILD"},
		{"rule reversed", "launch", `{"mode": "exec", "program": "APP", "substitutePath": [{"from": "BUILD", "to": "WS"}]}`, "WS", nil, []string{"ENV-IDECONF-SUBPATH-REVERSED"}, `"from": "BUILD"`},
		{"no rule, started in the workspace", "launch", `{"mode": "exec", "program": "APP"}`, "WS", nil, []string{"ENV-IDECONF-SUBPATH-MISSING"}, "under BUILD"},
		{"no rule, no workspace", "launch", `{"mode": "exec", "program": "APP"}`, "/", nil, nil, ""},
		{"attach attribute in a launch", "launch", `{"mode": "exec", "program": "APP", "processId": 1, "substitutePath": [{"from": "WS", "to": "BUILD"}]}`, "/", nil, []string{"ENV-IDECONF-REQATTR"}, `"processId" is an attribute of "attach"`},
		{"attach without a process", "attach", `{"mode": "local"}`, "/", nil, nil, ""},
		{"envFile sent on", "launch", `{"mode": "debug", "program": "WS", "envFile": "WS/debug.env"}`, "/", nil, []string{"ENV-IDECONF-ENVFILE-DAP"}, `"envFile": WS/debug.env`},
		{"test flags in args", "launch", `{"name": "t", "mode": "test", "program": ".", "args": ["-run", "TestStep"], ` + vscode + `}`, "WS", nil, []string{"ENV-IDECONF-TESTFLAG-ARGS"}, `"-run TestStep" is go test's spelling`},
		{"test flags in buildFlags", "launch", `{"name": "t", "mode": "test", "program": ".", "buildFlags": ["-v", "-args", "-test.run", "TestStep"], ` + vscode + `}`, "WS", nil, []string{"ENV-IDECONF-TESTFLAG-BUILD"}, `"-v": go test -c accepts it and drops it`},
		{"wrong type", "attach", `{"mode": "remote", "substitutePath": {"from": "WS", "to": "BUILD"}}`, "/", nil, []string{"ENV-IDECONF-TYPE"}, "must be an array"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := strings.Replace(tc.dir, "WS", e.ws, 1)
			rep := lintRequest(t, tc.command, e.expand(tc.args), dir, tc.env)
			if got := ids(rep.Findings); !sameIDs(got, tc.want) {
				for _, f := range rep.Findings {
					t.Logf("%s: %s %v", f.ID, f.Title, f.Evidence)
				}
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			if tc.fact == "" {
				return
			}
			fact := string(e.expand(tc.fact))
			var all []string
			for _, ev := range rep.Findings[0].Evidence {
				all = append(all, ev.Source+" "+ev.Fact)
			}
			if !strings.Contains(strings.Join(all, "\n"), fact) {
				t.Errorf("evidence does not say %q:\n%s", fact, strings.Join(all, "\n"))
			}
			if src := rep.Findings[0].Evidence[0].Source; !strings.HasPrefix(src, "dap:"+tc.command) && !strings.HasPrefix(src, "env:") && !strings.HasPrefix(src, "dwarf:") {
				t.Errorf("first evidence from %q, not from the request", src)
			}
		})
	}
}

// TestRequestCorrectedRule: the rule the lint prints for a wrong rule is
// the one that maps the workspace onto the binary, and with it the lint is
// silent.
func TestRequestCorrectedRule(t *testing.T) {
	e := newRequestEnv(t)
	rep := lintRequest(t, "launch", e.expand(`{"mode": "exec", "program": "APP", "substitutePath": [{"from": "WS", "to": "/go/src/app"}]}`), "/", nil)
	if len(rep.PathRules) != 1 || rep.PathRules[0] != (finding.PathRule{From: "${workspaceFolder}", To: e.buildDir}) {
		t.Fatalf("corrected rules %v, want from ${workspaceFolder} to %s", rep.PathRules, e.buildDir)
	}
	rep = lintRequest(t, "launch", e.expand(`{"mode": "exec", "program": "APP", "substitutePath": [{"from": "WS", "to": "`+rep.PathRules[0].To+`"}]}`), "/", nil)
	if len(rep.Findings) > 0 {
		t.Errorf("the corrected rule still draws %v", ids(rep.Findings))
	}
}

// TestRequestBuildsNothing: a debug request whose program does not compile
// draws no build finding, and nothing is written: Delve builds next.
func TestRequestBuildsNothing(t *testing.T) {
	ws := t.TempDir()
	os.WriteFile(filepath.Join(ws, "go.mod"), []byte("module example.com/broken\n\ngo 1.24\n"), 0o644)
	os.WriteFile(filepath.Join(ws, "main.go"), []byte("package main\n\nfunc main() { undefined() }\n"), 0o644)
	rep := lintRequest(t, "launch", []byte(`{"mode": "debug", "program": "."}`), ws, nil)
	if len(rep.Findings) > 0 {
		t.Errorf("findings %v for a request whose build the lint must not make", ids(rep.Findings))
	}
	ents, _ := os.ReadDir(ws)
	if len(ents) != 2 {
		t.Errorf("the lint wrote into the workspace: %d entries", len(ents))
	}
}

func TestParseRequest(t *testing.T) {
	for _, bad := range []string{`[]`, `"x"`, ``, `{"a": }`} {
		if _, err := ParseRequest("launch", []byte(bad)); err == nil {
			t.Errorf("ParseRequest(%q): no error", bad)
		}
	}
	if _, err := Request("launch", []byte(`null`), RequestOptions{}); !errors.Is(err, ErrNotObject) {
		t.Errorf("Request(null): %v, want ErrNotObject", err)
	}
	c, err := ParseRequest("attach", []byte(`{"mode": "local", "processId": 1, "mode": "remote"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Keys, ","); got != "mode,processId" {
		t.Errorf("keys %s", got)
	}
	if m, _ := c.String("mode"); m != "remote" {
		t.Errorf("a repeated key keeps %q, want the last value", m)
	}
	if c.Label() != "the attach request" {
		t.Errorf("label %q", c.Label())
	}
}

// TestParseEnvFile: vscode-go's env file format.
func TestParseEnvFile(t *testing.T) {
	data := "\uFEFF# comment\nexport GOFLAGS='-trimpath'\nA = \"x\\ny\" \nB=${A}-${HOME}-${NONE}\nnot a line\nC=\n"
	got := parseEnvFile([]byte(data), mapEnv(map[string]string{"HOME": "/h"}))
	want := map[string]string{"GOFLAGS": "-trimpath", "A": "x\ny", "B": "x\ny-/h-", "C": ""}
	if len(got) != len(want) {
		t.Errorf("got %q, want %q", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}
