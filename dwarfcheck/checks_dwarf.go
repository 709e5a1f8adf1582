package dwarfcheck

import (
	"debug/elf"
	"errors"
	"path"
	"sort"
	"strings"

	"github.com/dlvx/dlvx/finding"
)

// DWARFUnits reads the compile unit headers; DWARF checks require it. On a
// binary without DWARF it is not applicable, and so are its dependents.
var DWARFUnits = &Check{
	Name:     "dwarf-units",
	Doc:      "read the DWARF compile units\n\nFails when .debug_info is damaged.",
	Requires: []*Check{GoBinary, CompressedDWARF},
	Run: func(in *Input) ([]finding.Finding, error) {
		if fs, _ := compressedDWARF(in); len(fs) > 0 {
			return nil, finding.ErrNotApplicable // unreadable: BP-ZDEBUG says so
		}
		_, err := in.Units()
		if errors.Is(err, ErrNoDWARF) {
			return nil, finding.ErrNotApplicable
		}
		return nil, err
	},
}

// Optimization reports user packages compiled with optimizations, from
// each compile unit's DW_AT_producer. The runtime and the packages it
// depends on are never compiled with -N and are not counted.
var Optimization = &Check{
	Name:     "optimization",
	Doc:      "report packages compiled with optimizations or inlining\n\nReads the flags after ';' in each Go compile unit's DW_AT_producer (\"Go cmd/compile go1.26.8; -N -l regabi\").",
	Requires: []*Check{DWARFUnits},
	Run:      optimization,
}

func optimization(in *Input) ([]finding.Finding, error) {
	units, _ := in.Units()
	var optimized, debug []string
	var sample Unit
	seen := map[string]bool{}
	for _, u := range units {
		if !u.IsGo() || neverDebugBuilt(u.Name) || seen[u.Name] {
			continue
		}
		seen[u.Name] = true
		opt, inl := u.Optimized()
		if opt || inl {
			optimized = append(optimized, u.Name)
			if sample.Name == "" || u.Name == "main" {
				sample = u
			}
		} else {
			debug = append(debug, u.Name)
		}
	}
	if len(optimized) == 0 {
		return nil, nil
	}
	id := "BP-OPT"
	if len(debug) > 0 {
		id = "BP-OPT-PARTIAL"
	}
	evs := []finding.Evidence{
		finding.EvidenceAt("dwarf:cu "+sample.Name, int64(sample.Offset), "DW_AT_producer %q", sample.Producer),
		finding.Evidencef("dwarf:.debug_info", "%d of %d packages optimized (runtime not counted): %s", len(optimized), len(optimized)+len(debug), finding.ListSome(optimized, 5)),
	}
	if len(debug) > 0 {
		evs = append(evs, finding.Evidencef("dwarf:.debug_info", "compiled with -N -l: %s", finding.ListSome(debug, 5)))
	}
	if bi, err := in.BuildInfo(); err == nil {
		if v, ok := Setting(bi, "-gcflags"); ok {
			evs = append(evs, finding.Evidencef("buildinfo", "-gcflags=%q", v))
		}
	}
	fd := finding.New(id, evs...)
	fd.Fixes = []finding.Fix{finding.RebuildFix("rebuild every package without optimizations", finding.Build{})}
	return []finding.Finding{fd}, nil
}

// neverDebugBuilt reports packages the go command always compiles with
// optimizations: the runtime and its internal dependencies, plus the
// compiler-generated units.
func neverDebugBuilt(pkg string) bool {
	switch {
	case pkg == "runtime", strings.HasPrefix(pkg, "runtime/internal/"),
		strings.HasPrefix(pkg, "internal/runtime/"), pkg == "internal/abi",
		pkg == "internal/bytealg", pkg == "internal/cpu", pkg == "internal/goarch",
		pkg == "internal/goos", pkg == "internal/goexperiment", pkg == "internal/chacha8rand",
		pkg == "internal/byteorder", pkg == "internal/coverage/rtcov", pkg == "internal/godebugs",
		pkg == "internal/profilerecord", pkg == "internal/stringslite", pkg == "internal/asan",
		pkg == "internal/msan", pkg == "internal/race", pkg == "internal/trace/tracev2",
		pkg == "internal/strconv", pkg == "internal/synctest",
		pkg == "go:buildid", strings.HasPrefix(pkg, "go:"):
		return true
	}
	return false
}

// Cgo reports C compile units and external linking.
var Cgo = &Check{
	Name:     "cgo",
	Doc:      "report C code and external linking\n\nCounts compile units whose DW_AT_language is C or C++ and reads PT_INTERP and -linkmode.",
	Requires: []*Check{GoBinary},
	Run:      cgo,
}

func cgo(in *Input) ([]finding.Finding, error) {
	f, _ := in.ELF()
	var evs []finding.Evidence
	if units, err := in.Units(); err == nil {
		var cNames []string
		for _, u := range units {
			if u.IsC() {
				cNames = append(cNames, path.Base(u.Name))
			}
		}
		if len(cNames) > 0 {
			evs = append(evs, finding.Evidencef("dwarf:.debug_info", "%d C compile units: %s", len(cNames), finding.ListSome(cNames, 4)))
		}
	}
	if bi, err := in.BuildInfo(); err == nil {
		if v, ok := Setting(bi, "-ldflags"); ok && strings.Contains(v, "linkmode=external") {
			evs = append(evs, finding.Evidencef("buildinfo", "-ldflags=%q", v))
		}
	}
	if len(evs) == 0 {
		return nil, nil
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			evs = append(evs, finding.EvidenceAt("elf:program-headers", int64(p.Off), "PT_INTERP: dynamically linked"))
		}
	}
	fd := finding.New("BP-CGO", evs...)
	fd.Fixes = []finding.Fix{finding.RebuildFix("build C code for debugging", finding.Build{Env: []string{"CGO_CFLAGS=-O0 -g"}})}
	return []finding.Finding{fd}, nil
}

// BuildSystem reports file tables written by Bazel-like build systems and
// code attributed to non-Go files by //line directives.
var BuildSystem = &Check{
	Name:     "build-system",
	Doc:      "report file names from non-go-build build systems and //line directives\n\nReads every file name of every line table.",
	Requires: []*Check{DWARFUnits},
	Run:      buildSystem,
}

var buildSysPrefixes = []string{"external/", "bazel-out/", "GOROOT/", "execroot/", "_main/", "__main__/"}

func buildSystem(in *Input) ([]finding.Finding, error) {
	files, err := in.Files()
	if err != nil {
		return nil, err
	}
	trimmed := false
	if bi, err := in.BuildInfo(); err == nil {
		v, _ := Setting(bi, "-trimpath")
		trimmed = v == "true"
	}
	var sandbox, relative, lineDir []string
	for _, f := range files {
		for _, p := range buildSysPrefixes {
			if strings.HasPrefix(f, p) || strings.Contains(f, "/"+p) && strings.Contains(f, "/execroot/") {
				sandbox = append(sandbox, f)
				break
			}
		}
		if !strings.HasPrefix(f, "/") && strings.HasSuffix(f, ".go") && !isWindowsAbs(f) && !strings.HasPrefix(path.Base(f), "_cgo_") && f != "_testmain.go" {
			relative = append(relative, f) // go build without -trimpath writes absolute names; go test names its generated main so
		}
		ext := path.Ext(f)
		if ext != ".go" && ext != ".s" && ext != "" && !isCSource(ext) && f != "<autogenerated>" {
			lineDir = append(lineDir, f)
		}
	}
	var fs []finding.Finding
	if (len(sandbox) > 0 || len(relative) > 0) && !trimmed {
		var evs []finding.Evidence
		if len(sandbox) > 0 {
			evs = append(evs, finding.Evidencef("dwarf:.debug_line", "%d file names with build-sandbox prefixes, e.g. %s", len(sandbox), finding.ListSome(sandbox, 3)))
		}
		if len(relative) > 0 {
			evs = append(evs, finding.Evidencef("dwarf:.debug_line", "%d relative file names without -trimpath, e.g. %s", len(relative), finding.ListSome(relative, 3)))
		}
		fd := finding.New("BP-BUILDSYS", evs...)
		fd.Fixes = []finding.Fix{{Summary: "pass --source DIR to get the substitutePath rules for the build root", Editor: editorRuleFix}}
		fs = append(fs, fd)
	}
	if len(lineDir) > 0 {
		sort.Strings(lineDir)
		fs = append(fs, finding.New("BP-BUILDSYS-LINEDIR", finding.Evidencef("dwarf:.debug_line", "code attributed to %s", finding.ListSome(lineDir, 4))))
	}
	return fs, nil
}

func isCSource(ext string) bool {
	switch ext {
	case ".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".S", ".m":
		return true
	}
	return false
}

// isWindowsAbs reports a drive-letter path such as C:/src/main.go.
func isWindowsAbs(f string) bool {
	return len(f) > 2 && f[1] == ':' && (f[2] == '/' || f[2] == '\\')
}
