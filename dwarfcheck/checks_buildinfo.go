package dwarfcheck

import (
	"debug/buildinfo"
	"fmt"
	"strings"

	"github.com/dlvx/dlvx/finding"
	"github.com/go-delve/delve/pkg/goversion"
)

// GoBinary tells Go programs from other executables: no other check has
// anything useful to say about a binary Delve cannot debug.
var GoBinary = &Check{
	Name:     "go-binary",
	Doc:      "report executables that are not Go programs\n\nLooks for the .go.buildinfo and .gopclntab sections and the Go build information.",
	Requires: []*Check{ExecutableType},
	Run:      goBinary,
}

func goBinary(in *Input) ([]finding.Finding, error) {
	f, _ := in.ELF()
	if f.Section(".gopclntab") != nil || f.Section(".go.buildinfo") != nil {
		return nil, nil
	}
	if _, err := in.BuildInfo(); err == nil {
		return nil, nil // build information found without the section headers
	}
	fd := finding.New("AT-NOTGO-BINARY", finding.Evidencef("elf:section-headers", "no .go.buildinfo and no .gopclntab section"))
	fd.Fixes = []finding.Fix{{Summary: "debug it with gdb or lldb"}}
	return []finding.Finding{fd}, finding.ErrNotApplicable
}

// BuildInfoPresent reads the Go build information, which survives
// stripping. Checks that read it require this one.
var BuildInfoPresent = &Check{
	Name:     "buildinfo",
	Doc:      "read the Go build information\n\nFails when a Go binary's .go.buildinfo is damaged.",
	Requires: []*Check{GoBinary},
	Run: func(in *Input) ([]finding.Finding, error) {
		_, err := in.BuildInfo()
		return nil, err
	},
}

// GoVersion compares the toolchain that built the binary with the range
// this Delve supports. Unlike Delve, it also works on stripped binaries.
var GoVersion = &Check{
	Name:     "go-version",
	Doc:      "compare the binary's Go version with Delve's supported range\n\nReads the version from the Go build information, which stripping keeps; Delve reads it from DW_AT_producer and skips the check when DWARF is gone.",
	Requires: []*Check{BuildInfoPresent},
	Run:      goVersion,
}

// newerThanSupported reports whether v is past the newest Go this Delve
// supports (its betas and release candidates included).
func newerThanSupported(v goversion.GoVersion) bool {
	maxNext := goversion.GoVersion{Major: goversion.MaxSupportedVersionOfGoMajor, Minor: goversion.MaxSupportedVersionOfGoMinor + 1, Rev: betaZero}
	return v.AfterOrEqual(maxNext)
}

func goVersion(in *Input) ([]finding.Finding, error) {
	bi, _ := in.BuildInfo()
	v, ok := goversion.Parse(bi.GoVersion)
	if !ok {
		return nil, fmt.Errorf("parse go version %q", bi.GoVersion)
	}
	minV := goversion.GoVersion{Major: goversion.MinSupportedVersionOfGoMajor, Minor: goversion.MinSupportedVersionOfGoMinor, Rev: betaZero}
	var id string
	switch {
	case !v.AfterOrEqual(minV):
		id = "ENV-VERSION-OLD"
	case newerThanSupported(v):
		id = "ENV-VERSION-NEW"
	default:
		return nil, nil
	}
	supported := fmt.Sprintf("go%d.%d through go%d.%d", goversion.MinSupportedVersionOfGoMajor, goversion.MinSupportedVersionOfGoMinor,
		goversion.MaxSupportedVersionOfGoMajor, goversion.MaxSupportedVersionOfGoMinor)
	evs := []finding.Evidence{finding.Evidencef("buildinfo", "built with %s", bi.GoVersion), finding.Evidencef("dlvx", "Delve %s supports %s", "v1.27", supported)}
	if f, err := in.ELF(); err == nil && !HasDebugInfo(f) {
		evs = append(evs, finding.Evidencef("elf:section-headers", "no DWARF: Delve's own version check is skipped and debugging proceeds silently"))
	}
	fd := finding.New(id, evs...)
	fd.Fixes = []finding.Fix{
		finding.RebuildFix("rebuild with a supported Go", finding.Build{Env: []string{fmt.Sprintf("GOTOOLCHAIN=go%d.%d.0", goversion.MaxSupportedVersionOfGoMajor, goversion.MaxSupportedVersionOfGoMinor)}}),
		{Summary: "debug anyway, at your own risk", Command: []string{"dlvx", "exec", "--check-go-version=false", in.Path}},
	}
	return []finding.Finding{fd}, nil
}

// Trimpath reports -trimpath builds.
var Trimpath = &Check{
	Name:     "trimpath",
	Doc:      "report -trimpath builds\n\nReads -trimpath from the Go build information; -trimpath also hides -ldflags there.",
	Requires: []*Check{BuildInfoPresent},
	Run:      trimpath,
}

func trimpath(in *Input) ([]finding.Finding, error) {
	bi, _ := in.BuildInfo()
	if v, _ := Setting(bi, "-trimpath"); v != "true" {
		return nil, nil
	}
	evs := []finding.Evidence{finding.Evidencef("buildinfo", "-trimpath=true")}
	if files, err := in.Files(); err == nil {
		for _, f := range files {
			if !strings.HasPrefix(f, "/") && strings.HasSuffix(f, ".go") {
				evs = append(evs, finding.Evidencef("dwarf:.debug_line", "file names are module-relative, e.g. %s", f))
				break
			}
		}
	}
	fd := finding.New("BP-TRIMPATH", evs...)
	fd.Fixes = []finding.Fix{finding.RebuildFix("rebuild without -trimpath", finding.Build{}),
		{Summary: "or pass --source DIR to get the substitutePath rules", Editor: editorRuleFix}}
	return []finding.Finding{fd}, nil
}

// editorRuleFix is the editor's form of "pass --source DIR": in a debug
// session the verdict of an unverified breakpoint carries the rule.
const editorRuleFix = `or add to launch.json the "substitutePath" rule that the message of an unverified breakpoint gives`

// Race reports -race builds.
var Race = &Check{
	Name:     "race",
	Doc:      "report -race builds\n\nReads -race from the Go build information.",
	Requires: []*Check{BuildInfoPresent},
	Run: func(in *Input) ([]finding.Finding, error) {
		bi, _ := in.BuildInfo()
		if v, _ := Setting(bi, "-race"); v != "true" {
			return nil, nil
		}
		fd := finding.New("BP-RACE", finding.Evidencef("buildinfo", "-race=true"))
		fd.Fixes = []finding.Fix{finding.RebuildFix("rebuild without -race", finding.Build{})}
		return []finding.Finding{fd}, nil
	},
}

// Experiments reports GOEXPERIMENT builds and a default GODEBUG that turns
// async preemption off.
var Experiments = &Check{
	Name:     "experiments",
	Doc:      "report GOEXPERIMENT and DefaultGODEBUG settings that affect debugging\n\nReads GOEXPERIMENT and DefaultGODEBUG from the Go build information.",
	Requires: []*Check{BuildInfoPresent},
	Run:      experiments,
}

func experiments(in *Input) ([]finding.Finding, error) {
	bi, _ := in.BuildInfo()
	var fs []finding.Finding
	if v, ok := Setting(bi, "GOEXPERIMENT"); ok && v != "" {
		fs = append(fs, finding.New("BP-GOEXP", finding.Evidencef("buildinfo", "GOEXPERIMENT=%s", v)))
	}
	if v, ok := Setting(bi, "DefaultGODEBUG"); ok {
		for _, kv := range strings.Split(v, ",") {
			if kv == "asyncpreemptoff=1" {
				fd := finding.New("BP-GOEXP-ASYNCPREEMPTOFF", finding.Evidencef("buildinfo", "DefaultGODEBUG contains %s", kv))
				fd.Fixes = []finding.Fix{{Summary: "remove the //go:debug asyncpreemptoff=1 directive, or run with GODEBUG=asyncpreemptoff=0"}}
				fs = append(fs, fd)
			}
		}
	}
	return fs, nil
}

// Setting returns the value of a build setting.
func Setting(bi *buildinfo.BuildInfo, key string) (string, bool) {
	for _, s := range bi.Settings {
		if s.Key == key {
			return s.Value, true
		}
	}
	return "", false
}

// betaZero is the Rev Delve gives to goX.Ybeta0: the lowest release of a
// minor version, so betas and release candidates of a bound count as in range.
const betaZero = -2000
