package dlvx

import (
	"os/exec"
	"strings"
	"testing"
)

const (
	dlvx  = "github.com/dlvx/dlvx/"
	delve = "github.com/go-delve/delve/"
)

// frontEnds are what the analysis packages never import: dlvx's protocol
// layer and CLI, the DAP protocol, and Delve's own front ends. Delve's
// service/api stays allowed: locspec's LocationSpec returns its Location.
var frontEnds = []string{
	dlvx + "service/",
	dlvx + "cmd/",
	"github.com/google/go-dap",
	delve + "service/dap",
	delve + "service/rpc",
	delve + "service/debugger",
	delve + "cmd/",
	delve + "pkg/terminal",
}

// layers are the dependency rules of DESIGN.md: for the packages under
// each prefix, the import path prefixes none of their transitive
// dependencies may have. A package's own subtree is never forbidden to
// it.
var layers = []struct {
	pkgs      string   // import path prefix of the packages the rule binds
	forbidden []string // import path prefixes they must not depend on
}{
	// The analysis packages read bytes and return values.
	{dlvx + "finding", frontEnds},
	{dlvx + "dwarfcheck", frontEnds},
	{dlvx + "breakcheck", frontEnds},
	{dlvx + "srcpath", frontEnds},
	{dlvx + "attachcheck", frontEnds},
	{dlvx + "resolver", frontEnds},
	{dlvx + "launchcheck", frontEnds},
	{dlvx + "corecheck", frontEnds},
	// preempt decodes instructions: nothing of Delve or of dlvx.
	{dlvx + "preempt", append([]string{delve, dlvx}, frontEnds...)},
	// Only breakcheck (and resolver) load binaries through Delve.
	{dlvx + "finding", []string{delve + "pkg/proc"}},
	{dlvx + "dwarfcheck", []string{delve + "pkg/proc"}},
	{dlvx + "srcpath", []string{delve + "pkg/proc"}},
	// The protocol layer never reaches into the CLI.
	{dlvx + "service/dap", []string{dlvx + "cmd/"}},
	// A patch adds a hook that dlvx fills in, never an import of dlvx.
	{delve, []string{strings.TrimSuffix(dlvx, "/")}},
}

// listDeps returns, for every package of dlvx and of the generated Delve
// tree, its transitive imports.
func listDeps(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-f", "{{.ImportPath}} {{join .Deps \" \"}}", "./...", delve+"...")
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list: %v\n%s", err, msg)
	}
	deps := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) > 0 {
			deps[f[0]] = f[1:]
		}
	}
	return deps
}

// under reports whether path is pkgs or below it.
func under(path, pkgs string) bool {
	p := strings.TrimSuffix(pkgs, "/")
	return path == p || strings.HasPrefix(path, p+"/")
}

// violations returns "pkg imports dep" for each dependency of the packages
// under pkgs that has a forbidden prefix, and how many packages it read.
func violations(deps map[string][]string, pkgs string, forbidden []string) (bad []string, checked int) {
	for pkg, ds := range deps {
		if !under(pkg, pkgs) {
			continue
		}
		checked++
		for _, d := range ds {
			if under(d, pkgs) {
				continue
			}
			for _, f := range forbidden {
				if strings.HasPrefix(d, f) {
					bad = append(bad, pkg+" depends on "+d)
					break
				}
			}
		}
	}
	return bad, checked
}

// TestLayering checks every rule of layers against go list.
func TestLayering(t *testing.T) {
	deps := listDeps(t)
	for _, l := range layers {
		bad, checked := violations(deps, l.pkgs, l.forbidden)
		if checked == 0 {
			t.Errorf("rule for %s matches no package: the table is stale", l.pkgs)
		}
		for _, b := range bad {
			t.Errorf("%s (forbidden: %v)", b, l.forbidden)
		}
	}
	// The rules can fail: breakcheck does import Delve's pkg/proc, which
	// the rule for finding, dwarfcheck and srcpath forbids them.
	if bad, _ := violations(deps, dlvx+"breakcheck", []string{delve + "pkg/proc"}); len(bad) == 0 {
		t.Errorf("no violation found where one exists: breakcheck imports %spkg/proc", delve)
	}
}
