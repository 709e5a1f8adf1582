package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"time"
)

// A Result is what one go test run said about each test it was asked for.
type Result struct {
	BuildFailed string            // the build's output when the test binary did not build
	Status      map[string]string // test name → "pass", "fail", "skip"
	Output      map[string]string // test name → its output
	Took        time.Duration
}

// event is a line of go test -json output (cmd/test2json).
type event struct {
	Action      string
	Package     string
	ImportPath  string
	Test        string
	Output      string
	FailedBuild string
}

// testTimeout bounds each go test run: a catching test that hangs without
// its patch fails by timing out, and no run holds the check up for long.
var testTimeout = 5 * time.Minute

// goTest runs the named tests of one package with the given -modfile
// ("" for the repository's go.mod) and reads its -json stream. Tests of
// dlvx's own packages see the mod file through GOFLAGS too, so the go
// builds they start (TestMain builds dlvx) use the same Delve tree; Delve's
// tests build their fixtures inside the Delve module and must not see it.
func goTest(root, modfile string, g group) (*Result, error) {
	args := []string{"test", "-count=1", "-json", "-timeout", testTimeout.String(), "-run", g.pattern()}
	env := os.Environ()
	if modfile != "" {
		args = append(args, "-modfile="+modfile)
		if !g.delve {
			env = append(env, "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -modfile="+modfile))
		}
	}
	args = append(args, g.pkg)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	out, runErr := cmd.Output()
	r := parseTestJSON(out, stderr.String())
	r.Took = time.Since(start)
	if len(r.Status) == 0 && r.BuildFailed == "" && runErr != nil {
		return nil, fmt.Errorf("go %s: %v\n%s%s", strings.Join(args, " "), runErr, stderr.Bytes(), lastLines(string(out), 20))
	}
	return r, nil
}

// parseTestJSON reads a go test -json stream. A panic or a timeout ends
// the test binary with its running tests unfinished: they failed.
func parseTestJSON(out []byte, stderr string) *Result {
	r := &Result{Status: map[string]string{}, Output: map[string]string{}}
	var build strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		switch {
		case e.Action == "build-output":
			build.WriteString(e.Output)
		case e.Action == "fail" && e.Test == "" && e.FailedBuild != "":
			r.BuildFailed = strings.TrimSpace(build.String() + stderr)
		case e.Test != "" && e.Action == "output":
			r.Output[e.Test] += e.Output
		case e.Test != "" && e.Action == "run":
			r.Status[e.Test] = "running"
		case e.Test != "" && (e.Action == "pass" || e.Action == "fail" || e.Action == "skip"):
			r.Status[e.Test] = e.Action
		}
	}
	for name, st := range r.Status {
		if st == "running" {
			r.Status[name] = "fail"
		}
	}
	return r
}

// A group is the tests of one package that one go test run can select.
type group struct {
	pkg   string
	delve bool
	names []string
}

// pattern anchors each name. A name with a subtest gets a run of its own
// (see groups), because -run applies each "/" level to every test.
func (g group) pattern() string {
	if len(g.names) == 1 && strings.Contains(g.names[0], "/") {
		parts := strings.Split(g.names[0], "/")
		for i, p := range parts {
			parts[i] = "^" + regexp.QuoteMeta(p) + "$"
		}
		return strings.Join(parts, "/")
	}
	q := make([]string, len(g.names))
	for i, n := range g.names {
		q[i] = regexp.QuoteMeta(n)
	}
	return "^(" + strings.Join(q, "|") + ")$"
}

// groups puts catches into as few go test runs as -run allows: one per
// package for top-level tests, one per subtest; in the order of first
// appearance.
func groups(catches []Catch) []group {
	var out []group
	top := map[string]int{} // package → index in out of its top-level group
	seen := map[Catch]bool{}
	for _, c := range catches {
		if seen[c] {
			continue
		}
		seen[c] = true
		if strings.Contains(c.Name, "/") {
			out = append(out, group{c.Pkg, c.delvePkg(), []string{c.Name}})
			continue
		}
		i, ok := top[c.Pkg]
		if !ok {
			i = len(out)
			top[c.Pkg] = i
			out = append(out, group{pkg: c.Pkg, delve: c.delvePkg()})
		}
		out[i].names = append(out[i].names, c.Name)
	}
	return out
}

// why returns the output that explains a test's failure: its failed
// subtests' output first (that is where t.Error lines of a table test go),
// then its own.
func (r *Result) why(name string) string {
	var subs []string
	for sub, st := range r.Status {
		if st == "fail" && strings.HasPrefix(sub, name+"/") {
			subs = append(subs, sub)
		}
	}
	sort.Strings(subs)
	var b strings.Builder
	for _, sub := range subs {
		b.WriteString(r.Output[sub])
	}
	b.WriteString(r.Output[name])
	return b.String()
}

// failureLines picks the lines of a failed test's output that say why:
// the file:line messages, or else its last lines.
func failureLines(output string, n int) string {
	var picked []string
	for _, l := range strings.Split(output, "\n") {
		t := strings.TrimSpace(l)
		if fileLine.MatchString(t) || strings.HasPrefix(t, "panic:") {
			picked = append(picked, t)
		}
	}
	if len(picked) == 0 {
		return lastLines(output, n)
	}
	if len(picked) > n {
		picked = picked[:n]
	}
	return strings.Join(picked, "\n")
}

var fileLine = regexp.MustCompile(`^[A-Za-z0-9_]+\.go:\d+: `)

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
