package launchcheck

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/dlvx/dlvx/finding"
)

// A testFix is a test configuration's corrected buildFlags and args.
type testFix struct {
	written    []string // buildFlags as configured
	buildFlags []string
	args       []string // what buildFlags held for the test binary, then the corrected "args"
}

// summary gives the corrected attributes as launch.json takes them:
// buildFlags only when they change; a string buildFlags stays a string
// (Delve splits it at spaces, keeping 'quoted' words whole).
func (f *testFix) summary(bfString bool) finding.Fix {
	args, _ := json.Marshal(f.args)
	if f.args == nil {
		args = []byte("[]")
	}
	if slices.Equal(f.written, f.buildFlags) {
		return finding.Fix{Summary: `launch.json: "args": ` + string(args)}
	}
	var bf []byte
	if bfString {
		words := make([]string, len(f.buildFlags))
		for i, w := range f.buildFlags {
			words[i] = w
			if strings.ContainsAny(w, " \t") {
				words[i] = "'" + w + "'"
			}
		}
		bf, _ = json.Marshal(strings.Join(words, " "))
	} else {
		bf, _ = json.Marshal(f.buildFlags)
		if f.buildFlags == nil {
			bf = []byte("[]")
		}
	}
	return finding.Fix{Summary: `launch.json: "buildFlags": ` + string(bf) + `, "args": ` + string(args)}
}

// isTestFlag reports whether name (with or without "test.") is one of
// the testing package's flags, and whether it takes a value.
func isTestFlag(name string) (known, takesValue bool) {
	short := strings.TrimPrefix(name, "test.")
	if slices.Contains(testValueFlags, short) {
		return true, true
	}
	return slices.Contains(testBoolFlags, short), false
}

// testArgsFindings judges the words of "args", which the test binary
// parses with package flag: it defines only -test.NAME, and it stops at
// the first word that is not a flag. The corrected args go to fix.
func (t *Target) testArgsFindings(fix *testFix) []finding.Finding {
	l := t.L
	j := &argsJudge{args: l.Args, at: l.At(t.File, "args"), label: l.Cfg.Label(), fix: fix}
	for ; j.i < len(j.args); j.i++ {
		j.judge(j.args[j.i])
	}
	fix.args = append(append(fix.args, j.flags...), j.plain...)
	var out []finding.Finding
	if len(j.undefined) > 0 {
		out = append(out, finding.New("ENV-IDECONF-TESTFLAG-ARGS", j.undefined...))
	}
	if len(j.after) > 0 {
		out = append(out, finding.New("ENV-IDECONF-TESTFLAG-AFTER", j.after...))
	}
	return out
}

// An argsJudge walks a test configuration's "args", word i at a time,
// sorting them into the corrected flags and plain arguments.
type argsJudge struct {
	args             []string
	i                int
	at, label        string
	fix              *testFix
	flags, plain     []string
	undefined, after []finding.Evidence
}

func (j *argsJudge) say(evs *[]finding.Evidence, format string, a ...any) {
	*evs = append(*evs, finding.Evidencef(j.at, j.label+": "+format, a...))
}

// value returns the flag's value word, when it takes the next one.
func (j *argsJudge) value(takesValue, hasVal bool) []string {
	if takesValue && !hasVal && j.i+1 < len(j.args) {
		j.i++
		return []string{j.args[j.i]}
	}
	return nil
}

// judge sorts word a.
func (j *argsJudge) judge(a string) {
	name, val, hasVal, isFlag := flagName(a)
	known, takesValue := isTestFlag(name)
	value := func() []string { return j.value(takesValue, hasVal) }
	switch {
	case len(j.plain) > 0 && isFlag && known:
		words := append([]string{a}, value()...)
		j.say(&j.after, "%q comes after the plain argument %q: the test binary stops reading flags there, so it is an argument of the tests (flag.Args()), not a flag", strings.Join(words, " "), j.plain[0])
		j.flags = append(j.flags, words...)
	case !isFlag || len(j.plain) > 0:
		j.plain = append(j.plain, a)
	case strings.ContainsAny(name, " \t"):
		f, v, _ := strings.Cut(strings.TrimSpace(a), " ")
		j.say(&j.undefined, "%q is one argument: the test binary reads it as a flag named %q and exits with status 2 (\"flag provided but not defined\")", a, strings.TrimPrefix(a, "-"))
		if fn, _, _, _ := flagName(f); !strings.HasPrefix(fn, "test.") {
			if k, _ := isTestFlag(fn); k {
				f = "-test." + fn
			}
		}
		j.flags = append(j.flags, f, strings.TrimSpace(v))
	case name == "args":
		j.say(&j.undefined, "-args is go test's word for \"the rest goes to the test binary\": the test binary does not define it and exits with status 2 (\"flag provided but not defined: -args\")")
	case strings.HasPrefix(name, "test."):
		j.flags = append(append(j.flags, a), value()...)
	case known:
		words := append([]string{a}, value()...)
		j.say(&j.undefined, "%q is go test's spelling: the test binary defines -test.%s only, and exits with status 2 (\"flag provided but not defined: -%s\") before any test runs", strings.Join(words, " "), name, name)
		renamed := "-test." + name
		if hasVal {
			renamed += "=" + val
		}
		j.flags = append(append(j.flags, renamed), words[1:]...)
	case slices.Contains(goTestFlags, name):
		words := append([]string{a}, value()...)
		j.say(&j.undefined, "-%s is a flag of go test or of the build, not of the test binary, which exits with status 2 (\"flag provided but not defined: -%s\")", name, name)
		if !slices.Contains([]string{"c", "json", "o", "exec", "vet"}, name) {
			j.fix.buildFlags = append(j.fix.buildFlags, words...) // a build flag: Delve's go test -c takes it
		}
	default:
		// The tests' own flag (TestMain, init): a word after it that
		// is not a flag is taken as its value, not as the first
		// plain argument.
		j.flags = append(j.flags, a)
		if !hasVal && j.i+1 < len(j.args) {
			if _, _, _, f := flagName(j.args[j.i+1]); !f && j.args[j.i+1] != "--" {
				j.i++
				j.flags = append(j.flags, j.args[j.i])
			}
		}
	}
}
