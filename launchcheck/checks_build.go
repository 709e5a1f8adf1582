package launchcheck

import (
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
)

// A flagSource is one place build flags come from.
type flagSource struct {
	where string   // evidence source: "launch.json:9:7", "env:GOFLAGS"
	what  string   // how it was written: `"buildFlags": "-trimpath"`
	kind  string   // "buildFlags", "buildFlags[]", "env.GOFLAGS", "envFile", "GOFLAGS"
	flags []string // split
	// rule is the kind whose -gcflags rule applies, when not kind's own
	// (go.testFlags become a string buildFlags).
	rule string
}

func (t *Target) flagSources() []flagSource {
	l := t.L
	var out []flagSource
	if len(l.BuildFlags) > 0 {
		kind := "buildFlags[]"
		if l.BuildFlagsString {
			kind = "buildFlags"
		}
		out = append(out, flagSource{l.At(t.File, "buildFlags"), l.Cfg.Label() + `: "buildFlags": ` + string(l.Cfg.Attrs["buildFlags"].Value), kind, l.BuildFlags, ""})
	}
	ef := t.envFileVars()
	if g, ok := l.Env["GOFLAGS"]; ok {
		out = append(out, flagSource{l.At(t.File, "env"), fmt.Sprintf(`%s: "env": {"GOFLAGS": %q}`, l.Cfg.Label(), g), "env.GOFLAGS", strings.Fields(g), ""})
	} else if g, ok := ef.vars["GOFLAGS"]; ok {
		out = append(out, flagSource{l.At(t.File, "envFile"), fmt.Sprintf(`%s: "envFile" %s sets GOFLAGS=%s`, l.Cfg.Label(), ef.where["GOFLAGS"], g), "envFile", strings.Fields(g), ""})
	} else if g := t.Opt.Vars.getenv("GOFLAGS"); g != "" {
		whose := "the editor's"
		if l.FromRequest {
			whose = "the debugger's"
		}
		out = append(out, flagSource{"env:GOFLAGS", "GOFLAGS=" + g + " in " + whose + " environment", "GOFLAGS", strings.Fields(g), ""})
	}
	return out
}

func (v Vars) getenv(k string) string {
	if v.Getenv == nil {
		return ""
	}
	return v.Getenv(k)
}

// flagValue returns the value of -name in flags ("-name=v" or "-name v"),
// unquoted, and whether it is there.
func flagValue(flags []string, name string) (string, bool) {
	val, found := "", false
	for i, f := range flags {
		f = strings.TrimPrefix(f, "-")
		switch {
		case f == "-"+name || f == name:
			if i+1 < len(flags) {
				val, found = flags[i+1], true
			}
		case strings.HasPrefix(f, name+"=") || strings.HasPrefix(f, "-"+name+"="):
			_, v, _ := strings.Cut(f, "=")
			val, found = v, true
		}
	}
	return strings.Trim(val, `'"`), found
}

// lintFlags finds, in each source, the flags that remove what debugging
// needs (-trimpath, -ldflags -s/-w) or that fight with Delve's
// -gcflags=all=-N -l.
func (t *Target) lintFlags() []finding.Finding {
	var out []finding.Finding
	for _, src := range t.flagSources() {
		out = append(out, t.lintSource(src)...)
	}
	return out
}

// lintSource lints the flags of one source.
func (t *Target) lintSource(src flagSource) []finding.Finding {
	var out []finding.Finding
	if hasBoolFlag(src.flags, "trimpath") {
		fd := finding.New("ENV-IDECONF-TRIMPATH", finding.Evidencef(src.where, "%s", src.what))
		fd.Fixes = []finding.Fix{{Summary: "remove -trimpath from " + src.kind}}
		out = append(out, fd)
	}
	if v, ok := flagValue(src.flags, "ldflags"); ok {
		if strip := stripFlags(v); len(strip) > 0 {
			fd := finding.New("ENV-IDECONF-STRIP", finding.Evidencef(src.where, "%s: -ldflags=%q has %s", src.what, v, strings.Join(strip, " ")))
			fd.Fixes = []finding.Fix{{Summary: fmt.Sprintf("remove %s from -ldflags in %s", strings.Join(strip, " "), src.kind)}}
			out = append(out, fd)
		}
	}
	if v, ok := flagValue(src.flags, "gcflags"); ok {
		out = append(out, t.gcflagsFinding(src, v))
	}
	return out
}

// hasBoolFlag reports whether a boolean flag is set in flags.
func hasBoolFlag(flags []string, name string) bool {
	set := false
	for _, f := range flags {
		switch strings.TrimPrefix(strings.TrimPrefix(f, "-"), "-") {
		case name, name + "=true":
			set = true
		case name + "=false":
			set = false
		}
	}
	return set
}

// stripFlags returns the linker flags in an -ldflags value that drop DWARF.
func stripFlags(ldflags string) []string {
	var out []string
	for _, f := range strings.Fields(ldflags) {
		f = strings.Trim(f, `'"`)
		if f == "-s" || f == "-w" || f == "-s=true" || f == "-w=true" {
			out = append(out, f)
		}
	}
	return out
}

func (t *Target) gcflagsFinding(src flagSource, v string) finding.Finding {
	fd := finding.New("ENV-IDECONF-GCFLAGS", finding.Evidencef(src.where, "%s", src.what))
	kind := src.kind
	if src.rule != "" {
		kind = src.rule
	}
	fd.Evidence = append(fd.Evidence, gcflagsRule(kind, v, t.L.FromRequest))
	fd.Fixes = []finding.Fix{
		{Summary: "remove -gcflags from " + src.kind + ": Delve compiles with -gcflags=all=-N -l itself"},
		{Summary: "to add compiler flags, build yourself and use \"mode\": \"exec\"", Command: []string{"go", "build", "-gcflags=" + debugGcflags(v), "-o", "__debug_bin", "."}},
	}
	return fd
}

// gcflagsRule says which rule decides what -gcflags=v in a flag source of
// this kind does, in launch.json (vscode-go edits it first) or in a DAP
// request (Delve reads it as sent).
func gcflagsRule(kind, v string, fromRequest bool) finding.Evidence {
	switch {
	case kind == "buildFlags" && fromRequest && strings.HasPrefix(v, "all="):
		return finding.Evidencef("delve:gobuild", "a string buildFlags goes after Delve's -gcflags=all=-N -l, and the last -gcflags matching a package wins: -gcflags=%s replaces -N -l for every package", v)
	case kind == "buildFlags" && fromRequest:
		return finding.Evidencef("delve:gobuild", "a string buildFlags goes after Delve's -gcflags=all=-N -l: -gcflags=%s replaces -N -l for the main package, which is then optimized", v)
	case kind == "buildFlags" && !strings.HasPrefix(v, "all="):
		return finding.Evidencef("vscode-go", "removes every -gcflags from a string buildFlags before Delve sees it (\"User specified build flag '-gcflags' … is being ignored\"); a DAP client that passes it on (not VS Code) puts it after -gcflags=all=-N -l, and -gcflags=%s then replaces -N -l for the main package, which is optimized", v)
	case kind == "buildFlags" || kind == "env.GOFLAGS" && !fromRequest:
		return finding.Evidencef("vscode-go", "removes every -gcflags from a string buildFlags and from env.GOFLAGS before Delve sees them (\"User specified build flag '-gcflags' … is being ignored\")")
	case kind == "buildFlags[]":
		return finding.Evidencef("delve:gobuild", "Delve adds -gcflags=all=-N -l after these flags, and the last -gcflags matching a package wins: -gcflags=%s has no effect", v)
	}
	return finding.Evidencef("go", "flags on the command line override GOFLAGS, and Delve's build passes -gcflags=all=-N -l: -gcflags=%s in GOFLAGS has no effect", v)
}

// explainedBy maps a binary finding to the launch finding that causes it.
var explainedBy = map[string]string{
	"BP-NODWARF": "ENV-IDECONF-STRIP", "BP-NODWARF-BLIND": "ENV-IDECONF-STRIP",
	"BP-TRIMPATH": "ENV-IDECONF-TRIMPATH",
	"BP-OPT":      "ENV-IDECONF-GCFLAGS", "BP-OPT-PARTIAL": "ENV-IDECONF-GCFLAGS",
}

// CauseOf returns the launch configuration finding that causes the binary
// finding id (ENV-IDECONF-TRIMPATH for BP-TRIMPATH), "" for none: a
// session that showed the cause need not show its effect.
func CauseOf(id string) string { return explainedBy[id] }

// launchBinaryChecks are the binary checks run on a debug build or an
// exec/core target: all of them but the Go version, which is judged
// against the dlv that will run (checkDlv), and the DWARF version, which
// checkDlv runs with that dlv.
var launchBinaryChecks = slices.DeleteFunc(slices.Clone(dwarfcheck.BinaryChecks), func(c *dwarfcheck.Check) bool {
	return c == dwarfcheck.GoVersion || c == dwarfcheck.DWARFVersion
})

// checkBuild lints the build flags, makes the binary the configuration
// debugs, and runs the binary checks on it: a launch finding gains the
// binary's evidence, and a binary finding it explains is dropped.
func checkBuild(t *Target) ([]finding.Finding, error) {
	lint := t.lintFlags()
	bin, err := t.Binary()
	var be *BuildError
	switch {
	case errors.As(err, &be):
		if errors.Is(be.Err, exec.ErrNotFound) {
			return lint, err // no go command: the doctor cannot judge the build
		}
		fd := finding.New("ENV-IDECONF-BUILD",
			finding.Evidencef(t.L.At(t.File, "program"), "%s: %s (in %s)", t.L.Cfg.Label(), strings.Join(be.Command, " "), be.Dir),
			finding.Evidencef("go build", "%s", firstLines(be.Output, 6)))
		return append(lint, fd), nil
	case errors.Is(err, ErrNotBuilt):
		return lint, nil
	case err != nil:
		return lint, err
	}
	res, err := finding.Run(bin.in, launchBinaryChecks, finding.Options{})
	if err != nil {
		return lint, err
	}
	return t.mergeBinary(lint, bin, res.Findings), nil
}

func (t *Target) mergeBinary(lint []finding.Finding, bin *binary, fs []finding.Finding) []finding.Finding {
	what := "exec target " + bin.in.Path
	if bin.built {
		what = "debug build: " + strings.Join(bin.command, " ")
	}
	out := lint
	for _, bf := range fs {
		if bf.Severity < finding.SevWarn {
			continue
		}
		i := slices.IndexFunc(lint, func(f finding.Finding) bool { return f.ID == explainedBy[bf.ID] })
		if i >= 0 {
			for _, e := range bf.Evidence {
				e.Fact = bf.ID + ": " + e.Fact
				out[i].Evidence = append(out[i].Evidence, e)
			}
			continue
		}
		bf.Evidence = append([]finding.Evidence{finding.Evidencef(t.L.At(t.File, "program"), "%s: %s", t.L.Cfg.Label(), what)}, bf.Evidence...)
		out = append(out, bf)
	}
	return out
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], fmt.Sprintf("(%d more lines)", len(lines)-n))
	}
	return strings.Join(lines, " | ")
}

// debugGcflags returns all=-N -l plus the user's other compiler flags.
func debugGcflags(v string) string {
	out := []string{"-N", "-l"}
	for _, f := range strings.Fields(strings.TrimPrefix(v, "all=")) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return "all=" + strings.Join(out, " ")
}
