package srcpath

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path"
	"strings"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
)

// A Toolchain describes this machine's Go installation, for the rules
// that map the binary's standard library and module cache paths to it.
// A nil field disables what it feeds.
type Toolchain struct {
	// GoEnv returns this machine's GOROOT and GOMODCACHE.
	GoEnv func() (goroot, modcache string, err error)
	// GoVersion returns the local go command's version ("go1.26.8").
	GoVersion func() string
}

// LocalToolchain asks the go command on PATH: it runs "go env".
var LocalToolchain = Toolchain{GoEnv: goEnv, GoVersion: localGoVersion}

// goEnv returns GOROOT and GOMODCACHE of the local go command.
func goEnv() (goroot, modcache string, err error) {
	out, err := exec.Command("go", "env", "GOROOT", "GOMODCACHE").Output()
	if err != nil {
		return "", "", fmt.Errorf("go env: %w", err)
	}
	lines := strings.Split(string(bytes.TrimSpace(out)), "\n")
	if len(lines) != 2 {
		return "", "", fmt.Errorf("go env: unexpected output %q", out)
	}
	return strings.TrimSpace(lines[0]), strings.TrimSpace(lines[1]), nil
}

// binaryRoots returns where the binary's standard library and module
// cache files were: an absolute prefix, "" for -trimpath's relative
// names, and found=false when the binary has no such files.
func binaryRoots(files []string) (goroot string, hasGoroot bool, modcache string, hasMod bool) {
	for _, f := range files {
		if !hasGoroot {
			switch {
			case f == "runtime/proc.go":
				goroot, hasGoroot = "", true
			case strings.HasSuffix(f, "/src/runtime/proc.go"):
				goroot, hasGoroot = strings.TrimSuffix(f, "/src/runtime/proc.go"), true
			}
		}
		if !hasMod {
			if i := strings.Index(f, "/pkg/mod/"); i >= 0 && strings.Contains(f[i:], "@v") {
				modcache, hasMod = f[:i+len("/pkg/mod")], true
			} else if !path.IsAbs(f) && strings.Contains(strings.SplitN(f, "/", 4)[min(2, strings.Count(f, "/"))], "@v") {
				modcache, hasMod = "", true
			}
		}
	}
	return goroot, hasGoroot, modcache, hasMod
}

// toolchainRules returns the rules mapping this machine's GOROOT and
// module cache to the binary's, when they differ, with a finding.
func toolchainRules(in *dwarfcheck.Input, tc Toolchain, files []string) ([]PathRule, []finding.Finding) {
	if tc.GoEnv == nil {
		return nil, nil
	}
	localRoot, localMod, err := tc.GoEnv()
	if err != nil {
		return nil, nil
	}
	binRoot, hasRoot, binMod, hasMod := binaryRoots(files)
	var rules []PathRule
	var evs []finding.Evidence
	if hasRoot && localRoot != "" && binRoot != localRoot && !exists(binRoot+"/src/runtime/proc.go") {
		to := binRoot + "/src"
		if binRoot == "" {
			to = ""
		}
		rules = append(rules, PathRule{From: localRoot + "/src", To: to})
		evs = append(evs, finding.Evidencef("dwarf:.debug_line", "standard library under %s; here GOROOT is %s", displayPath(binRoot), localRoot))
		if bi, err := in.BuildInfo(); err == nil && tc.GoVersion != nil {
			if local := tc.GoVersion(); local != "" && local != bi.GoVersion {
				evs = append(evs, finding.Evidencef("buildinfo", "built with %s but the local go is %s: standard library lines will not match", bi.GoVersion, local))
			}
		}
	}
	if hasMod && localMod != "" && binMod != localMod && !exists(binMod) {
		rules = append(rules, PathRule{From: localMod, To: binMod})
		evs = append(evs, finding.Evidencef("dwarf:.debug_line", "modules under %s; here GOMODCACHE is %s", displayPath(binMod), localMod))
		if binMod == "" && hasUpperModule(files) {
			evs = append(evs, finding.Evidencef("dwarf:.debug_line", "some module paths have upper-case letters: the module cache escapes them (!x), so no prefix rule maps those files"))
		}
	}
	if len(rules) == 0 {
		return nil, nil
	}
	fd := finding.New("BP-PATH-GOROOT", evs...)
	for _, r := range rules {
		fd.Fixes = append(fd.Fixes, finding.Fix{Summary: fmt.Sprintf(`launch.json substitutePath entry {"from": %q, "to": %q}`, r.From, r.To)})
	}
	return rules, []finding.Finding{fd}
}

// exists reports whether a path exists on this machine ("" does not).
func exists(p string) bool {
	if p == "" {
		return false
	}
	_, err := os.Stat(p)
	return err == nil
}

// localGoVersion returns the local go command's version, or "".
func localGoVersion() string {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// hasUpperModule reports a -trimpath module file whose path has capitals.
func hasUpperModule(files []string) bool {
	for _, f := range files {
		if !path.IsAbs(f) && strings.Contains(f, "@v") && strings.ToLower(f) != f {
			return true
		}
	}
	return false
}
