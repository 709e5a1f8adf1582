package launchcheck

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/dlvx/dlvx/finding"
)

// readTestFlags takes go.testFlags, else go.buildFlags, from one settings
// file; a later file's setting replaces an earlier one's.
func (s *Settings) readTestFlags(file string, m map[string]json.RawMessage) {
	for _, key := range []string{"go.testFlags", "go.buildFlags"} {
		var flags []string
		if json.Unmarshal(m[key], &flags) == nil && flags != nil {
			s.TestFlags, s.TestFlagsFrom = flags, file+": "+key
			return
		}
	}
}

// checkTestFlags lints the flags vscode-go's "debug test" (the code lens
// and Go: Debug Test at Cursor) builds with: go.testFlags (else
// go.buildFlags) up to -args become the session's string buildFlags, so
// -trimpath or -ldflags=-s -w there break every such session although no
// launch.json mentions them.
func checkTestFlags(opt *Options) []finding.Finding {
	s := opt.Settings
	if s == nil || len(s.TestFlags) == 0 {
		return nil
	}
	flags := s.TestFlags
	if i := slices.Index(flags, "-args"); i >= 0 {
		flags = flags[:i] // the rest goes to the test binary
	}
	src := flagSource{where: "settings:" + s.TestFlagsFrom, what: "debug test sessions build with these flags: " + finding.ListSome(flags, 8), kind: "go.testFlags", flags: flags, rule: "buildFlags"}
	t := &Target{L: &Launch{Cfg: &Config{Name: "Debug Test"}, Request: "launch", Mode: "test"}, Opt: opt}
	out := t.lintSource(src)
	if fd, ok := settingsTestFlags(src, s.TestFlags); ok {
		out = append(out, fd)
	}
	return out
}

// debugDropped are the flags whose loss suits a debug test session: the
// selection flags (vscode-go passes its own -test.run) and -timeout (a
// session paused at a breakpoint would hit it).
var debugDropped = []string{"run", "skip", "list", "bench", "fuzz", "timeout"}

// settingsTestFlags judges the testing flags before -args in go.testFlags:
// go test runs honour them, debug test sessions (where they become
// buildFlags of go test -c) drop them. The fix keeps them for go test and
// repeats them after -args, where vscode-go hands them to the test binary.
func settingsTestFlags(src flagSource, all []string) (finding.Finding, bool) {
	moves, _ := splitTestBuildFlags(src.flags)
	var evs []finding.Evidence
	var extra []string
	var after []string // what vscode-go already hands the test binary
	if i := slices.Index(all, "-args"); i >= 0 {
		after = all[i+1:]
	}
	for _, m := range moves {
		given := slices.ContainsFunc(after, func(a string) bool {
			name, _, _, ok := flagName(a)
			return ok && name == "test."+m.name
		})
		if given || slices.Contains(debugDropped, m.name) {
			continue
		}
		evs = append(evs, finding.Evidencef(src.where, "%q: go test runs use it; in a debug test session it is a build flag of go test -c, which drops it: %s", strings.Join(src.flags[m.at:m.at+m.n], " "), effect(m)))
		extra = append(extra, "-test."+m.name)
		if slices.Contains(testValueFlags, m.name) {
			extra = append(extra, m.val)
		}
	}
	if len(evs) == 0 {
		return finding.Finding{}, false
	}
	fixed := slices.Clone(all)
	if !slices.Contains(fixed, "-args") {
		fixed = append(fixed, "-args")
	}
	fixed = append(fixed, extra...)
	js, _ := json.Marshal(fixed)
	fd := finding.New("ENV-IDECONF-TESTFLAG-BUILD", evs...)
	fd.Fixes = []finding.Fix{{Summary: `settings.json: "` + src.kind + `": ` + string(js)}}
	return fd, true
}
