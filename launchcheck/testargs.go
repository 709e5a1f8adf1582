package launchcheck

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dlvx/dlvx/finding"
)

// TestArgs judges where the test flags of a "mode": "test" configuration
// land: Delve builds with `go test -c <buildFlags> PKG` and starts the
// test binary with "args".
var TestArgs = &Check{Name: "test-args", Doc: "judge where test flags land in a test configuration\n\nbuildFlags go to go test -c, which drops test flags; args go to the test binary, which knows only -test.NAME.", Requires: []*Check{Mode}, Run: checkTestArgs}

// testValueFlags and testBoolFlags are the testing package's flags (the
// test binary's -test.NAME; go test also takes them as -NAME).
var (
	testValueFlags = []string{"run", "skip", "count", "timeout", "bench", "benchtime", "cpu", "parallel", "list", "fuzz", "fuzztime", "fuzzminimizetime", "coverprofile", "cpuprofile", "memprofile", "memprofilerate", "blockprofile", "blockprofilerate", "mutexprofile", "mutexprofilefraction", "outputdir", "trace", "shuffle", "gocoverdir", "testlogfile", "fuzzcachedir"}
	testBoolFlags  = []string{"v", "short", "failfast", "benchmem", "fullpath", "paniconexit0", "artifacts"}
	// goTestFlags are flags of go test itself and of the build, which the
	// test binary does not define.
	goTestFlags = []string{"c", "json", "o", "exec", "vet", "cover", "covermode", "coverpkg", "race", "msan", "asan", "tags", "gcflags", "ldflags", "asmflags", "trimpath", "mod", "modfile", "work", "a", "n", "x", "p"}
)

// testFlagEffect says what a test flag does that a session without it
// misses.
var testFlagEffect = map[string]string{
	"run":     "every test of the package runs, not only those matching %s",
	"skip":    "the tests matching %s run",
	"v":       "the tests' output is not verbose",
	"timeout": "the test binary, started directly, has no timeout (its -test.timeout defaults to 0; the 10m default is go test's), which suits a session paused at breakpoints: the fix leaves it out",
	"count":   "each test runs once",
}

// flagName splits "-name=value" or "--name": ok is false for a word that
// is not a flag ("-" and "--" are not).
func flagName(arg string) (name, value string, hasValue, ok bool) {
	if len(arg) < 2 || arg[0] != '-' || arg == "--" {
		return "", "", false, false
	}
	name = strings.TrimPrefix(arg[1:], "-")
	name, value, hasValue = strings.Cut(name, "=")
	return name, value, hasValue, name != ""
}

// testMove is one flag that belongs elsewhere, with its value.
type testMove struct {
	at   int    // index of the flag
	n    int    // words it takes (flag and value)
	name string // the testing package's name, without "test."
	val  string
}

// splitTestBuildFlags finds in buildFlags the testing package's flags,
// which go test -c accepts and drops, and -args, after which go test
// passes everything (Delve's package too) to a test binary it never runs.
func splitTestBuildFlags(flags []string) (moves []testMove, dashArgs int) {
	for i := 0; i < len(flags); i++ {
		name, val, hasVal, ok := flagName(flags[i])
		if !ok {
			continue
		}
		if name == "args" {
			return moves, i
		}
		short := strings.TrimPrefix(name, "test.")
		isValue := slices.Contains(testValueFlags, short)
		if !isValue && !slices.Contains(testBoolFlags, short) {
			continue
		}
		m := testMove{at: i, n: 1, name: short, val: val}
		if isValue && !hasVal && i+1 < len(flags) {
			m.n, m.val = 2, flags[i+1]
			i++
		}
		moves = append(moves, m)
	}
	return moves, -1
}

// checkTestArgs judges a test configuration's buildFlags and args.
func checkTestArgs(t *Target) ([]finding.Finding, error) {
	l := t.L
	if l.Request != "launch" || l.Mode != "test" || len(l.Missing["args"]) > 0 || len(l.Missing["buildFlags"]) > 0 {
		return nil, nil
	}
	fix := &testFix{written: l.BuildFlags, buildFlags: slices.Clone(l.BuildFlags)}
	var out []finding.Finding
	if fd, ok := t.testBuildFlags(fix); ok {
		out = append(out, fd)
	}
	argsFds := t.testArgsFindings(fix)
	out = append(out, argsFds...)
	for i := range out {
		out[i].Fixes = []finding.Fix{fix.summary(l.BuildFlagsString)}
	}
	return out, nil
}

// testBuildFlags judges the test flags in buildFlags and moves them to
// fix's args, as -test.NAME.
func (t *Target) testBuildFlags(fix *testFix) (finding.Finding, bool) {
	l := t.L
	moves, dashArgs := splitTestBuildFlags(l.BuildFlags)
	if len(moves) == 0 && dashArgs < 0 {
		return finding.Finding{}, false
	}
	at := l.At(t.File, "buildFlags")
	var evs []finding.Evidence
	var keep []string
	next := 0
	for _, m := range moves {
		keep = append(keep, l.BuildFlags[next:m.at]...)
		next = m.at + m.n
		written := strings.Join(l.BuildFlags[m.at:m.at+m.n], " ")
		evs = append(evs, finding.Evidencef(at, "%s: %q: go test -c accepts it and drops it, so the test binary Delve starts never sees it: %s", l.Cfg.Label(), written, effect(m)))
		if m.name == "timeout" {
			continue // a timeout would end a session paused at a breakpoint: the fix drops it
		}
		fix.args = append(fix.args, "-test."+m.name)
		if slices.Contains(testValueFlags, m.name) {
			fix.args = append(fix.args, m.val)
		}
	}
	end := len(l.BuildFlags)
	if dashArgs >= 0 {
		end = dashArgs
	}
	keep = append(keep, l.BuildFlags[next:end]...)
	if dashArgs >= 0 {
		rest := l.BuildFlags[dashArgs+1:]
		evs = append(evs, finding.Evidencef(at, "%s: go test passes what follows -args (%s) to the test binary, which go test -c does not run; Delve's package goes last, after them, so go test builds the package of the working directory, or fails with \"go.mod file not found\"", l.Cfg.Label(), finding.ListSome(rest, 6)))
		fix.args = append(fix.args, rest...)
	}
	fix.buildFlags = keep
	return finding.New("ENV-IDECONF-TESTFLAG-BUILD", evs...), true
}

// effect says what the test binary does without m.
func effect(m testMove) string {
	if e, ok := testFlagEffect[m.name]; ok {
		if strings.Contains(e, "%s") {
			return fmt.Sprintf(e, m.val)
		}
		return e
	}
	return "-test." + m.name + " has no effect"
}
