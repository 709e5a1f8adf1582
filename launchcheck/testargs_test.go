package launchcheck

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/finding"
)

// TestTestFlagFixes: for the launch.json cases with test flags in the
// wrong place, the test binary built as Delve builds it and started with
// the configuration's args does what the finding says (exits 2, or runs
// every test without -test.v), and with the fixed buildFlags and args it
// runs TestStep alone, verbosely.
func TestTestFlagFixes(t *testing.T) {
	dlv := fakeDlv(t, "", "v1.27.2")
	cases := []struct {
		name       string
		wantRC     int    // of the test binary with the configuration's args
		wantOutput string // in its output
		wantArgs   []string
	}{
		{"testflag-args", 2, "flag provided but not defined: -run", []string{"-test.run", "TestStep", "-test.count", "1", "-test.v", "fixture.txt"}},
		{"testflag-build", 0, "PASS", []string{"-test.run", "TestStep", "-test.v", "-test.count", "1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "cases", tc.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			f, c := newCase(t, data, dlv)
			rep, err := Doctor(f, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(rep.Findings, func(f finding.Finding) bool { return strings.HasPrefix(f.ID, "ENV-IDECONF-TESTFLAG-") })
			if i < 0 {
				t.Fatalf("no test flag finding: %v", ids(rep.Findings))
			}
			l := f.Configs[0].Resolve(c.opt.Vars)
			bf, args := fixAttrs(t, rep.Findings[i], l.BuildFlags)
			if !slices.Equal(args, tc.wantArgs) {
				t.Errorf("fixed args %q, want %q", args, tc.wantArgs)
			}
			rc, out := runTest(t, c.ws, l.BuildFlags, l.Args)
			if rc != tc.wantRC || !strings.Contains(out, tc.wantOutput) || strings.Contains(out, "=== RUN") {
				t.Errorf("as configured: status %d, output:\n%s\nwant status %d, %q, not verbose", rc, out, tc.wantRC, tc.wantOutput)
			}
			rc, out = runTest(t, c.ws, bf, args)
			if rc != 0 || !strings.Contains(out, "=== RUN   TestStep") {
				t.Errorf("fixed: status %d, output:\n%s", rc, out)
			}
		})
	}
}

var fixAttrsRE = regexp.MustCompile(`^launch.json: (?:"buildFlags": (.*), )?"args": (\[.*\])$`)

// fixAttrs returns the buildFlags and args of a test flag finding's fix,
// buildFlags split as Delve splits a string; written when the fix keeps
// them.
func fixAttrs(t *testing.T, fd finding.Finding, written []string) (buildFlags, args []string) {
	t.Helper()
	if len(fd.Fixes) != 1 {
		t.Fatalf("%s: fixes %+v", fd.ID, fd.Fixes)
	}
	m := fixAttrsRE.FindStringSubmatch(fd.Fixes[0].Summary)
	if m == nil {
		t.Fatalf("%s: fix %q", fd.ID, fd.Fixes[0].Summary)
	}
	buildFlags = written
	if m[1] != "" {
		var bf any
		if err := json.Unmarshal([]byte(m[1]), &bf); err != nil {
			t.Fatal(err)
		}
		l := &Launch{}
		if err := l.setBuildFlags(bf); err != nil {
			t.Fatal(err)
		}
		buildFlags = l.BuildFlags
	}
	if err := json.Unmarshal([]byte(m[2]), &args); err != nil {
		t.Fatal(err)
	}
	return buildFlags, args
}

// runTest builds the package in dir as Delve's test mode does (go test -c
// with buildFlags) and runs the test binary with args: its exit status and
// output.
func runTest(t *testing.T, dir string, buildFlags, args []string) (int, string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "__debug_bin")
	goBuild(t, dir, nil, append(append([]string{"test", "-c", "-o", bin, "-gcflags", "all=-N -l"}, buildFlags...), ".")...)
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), string(out)
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

// TestTimeoutLeftOut: -timeout in buildFlags is judged dropped, and the
// fix does not move it to args, where it would end a paused session.
func TestTimeoutLeftOut(t *testing.T) {
	l := &Launch{Cfg: &Config{Name: "t", Attrs: map[string]Attr{}}, Request: "launch", Mode: "test", BuildFlags: []string{"-timeout", "30s", "-v"}, Missing: map[string][]Unexpanded{}}
	fs, err := checkTestArgs(&Target{File: "launch.json", L: l, Opt: &Options{}})
	if err != nil || len(fs) != 1 || len(fs[0].Evidence) != 2 {
		t.Fatalf("got %+v, %v; want one TESTFLAG-BUILD with two evidences", fs, err)
	}
	want := `launch.json: "buildFlags": [], "args": ["-test.v"]`
	if fs[0].Fixes[0].Summary != want {
		t.Errorf("fix %q, want %q", fs[0].Fixes[0].Summary, want)
	}
}
