package launchcheck

import (
	"encoding/json"
	"slices"

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
	return t.lintSource(src)
}
