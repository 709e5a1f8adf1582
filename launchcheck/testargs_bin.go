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
	at := l.At(t.File, "args")
	var undefined, after []finding.Evidence
	var flags, plain []string
	say := func(evs *[]finding.Evidence, format string, a ...any) {
		*evs = append(*evs, finding.Evidencef(at, l.Cfg.Label()+": "+format, a...))
	}
	args := l.Args
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal, isFlag := flagName(a)
		known, takesValue := isTestFlag(name)
		value := func() []string { // the flag's value word, when it takes the next one
			if takesValue && !hasVal && i+1 < len(args) {
				i++
				return []string{args[i]}
			}
			return nil
		}
		switch {
		case len(plain) > 0 && isFlag && known:
			words := append([]string{a}, value()...)
			say(&after, "%q comes after the plain argument %q: the test binary stops reading flags there, so it is an argument of the tests (flag.Args()), not a flag", strings.Join(words, " "), plain[0])
			flags = append(flags, words...)
		case !isFlag || len(plain) > 0:
			plain = append(plain, a)
		case strings.ContainsAny(name, " \t"):
			f, v, _ := strings.Cut(strings.TrimSpace(a), " ")
			say(&undefined, "%q is one argument: the test binary reads it as a flag named %q and exits with status 2 (\"flag provided but not defined\")", a, strings.TrimPrefix(a, "-"))
			if fn, _, _, _ := flagName(f); !strings.HasPrefix(fn, "test.") {
				if k, _ := isTestFlag(fn); k {
					f = "-test." + fn
				}
			}
			flags = append(flags, f, strings.TrimSpace(v))
		case name == "args":
			say(&undefined, "-args is go test's word for \"the rest goes to the test binary\": the test binary does not define it and exits with status 2 (\"flag provided but not defined: -args\")")
		case strings.HasPrefix(name, "test."):
			flags = append(append(flags, a), value()...)
		case known:
			words := append([]string{a}, value()...)
			say(&undefined, "%q is go test's spelling: the test binary defines -test.%s only, and exits with status 2 (\"flag provided but not defined: -%s\") before any test runs", strings.Join(words, " "), name, name)
			renamed := "-test." + name
			if hasVal {
				renamed += "=" + val
			}
			flags = append(append(flags, renamed), words[1:]...)
		case slices.Contains(goTestFlags, name):
			words := append([]string{a}, value()...)
			say(&undefined, "-%s is a flag of go test or of the build, not of the test binary, which exits with status 2 (\"flag provided but not defined: -%s\")", name, name)
			if !slices.Contains([]string{"c", "json", "o", "exec", "vet"}, name) {
				fix.buildFlags = append(fix.buildFlags, words...) // a build flag: Delve's go test -c takes it
			}
		default:
			// The tests' own flag (TestMain, init): a word after it that
			// is not a flag is taken as its value, not as the first
			// plain argument.
			flags = append(flags, a)
			if !hasVal && i+1 < len(args) {
				if _, _, _, f := flagName(args[i+1]); !f && args[i+1] != "--" {
					i++
					flags = append(flags, args[i])
				}
			}
		}
	}
	fix.args = append(append(fix.args, flags...), plain...)
	var out []finding.Finding
	if len(undefined) > 0 {
		out = append(out, finding.New("ENV-IDECONF-TESTFLAG-ARGS", undefined...))
	}
	if len(after) > 0 {
		out = append(out, finding.New("ENV-IDECONF-TESTFLAG-AFTER", after...))
	}
	return out
}
