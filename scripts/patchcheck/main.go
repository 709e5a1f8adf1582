// Command patchcheck shows that every patch in patches/ is load-bearing:
// each patch header names, in "Test: PKG NAME" lines, the tests that catch
// its removal. patchcheck runs them with every patch (third_party/delve)
// and requires them to pass, then, for each patch, generates a Delve tree
// without that patch alone under .cache/patch-check (never touching
// third_party/delve), points a copy of go.mod at it with -modfile, runs the
// patch's tests again and requires each to fail, by a failed assertion or
// by a build that no longer compiles without the patch's hook.
//
// PKG is a package of this repository ("./cmd/dlvx") or one of Delve's
// ("github.com/go-delve/delve/pkg/terminal"): a test a patch adds to Delve
// runs in the generated tree, with the patch's _test.go files kept and its
// other changes removed.
//
// Usage, from the scripts module: go run ./patchcheck -root ..
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func main() {
	root := flag.String("root", ".", "repository root")
	only := flag.String("patch", "", "check only the patches whose name starts with this (e.g. 0004)")
	flag.Parse()
	abs, err := filepath.Abs(*root)
	if err != nil {
		fatal(err)
	}
	if err := run(abs, *only); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintf(os.Stderr, "patchcheck: %v\n", err)
	os.Exit(1)
}

func run(root, only string) error {
	start := time.Now()
	patches, err := readPatches(filepath.Join(root, "patches"))
	if err != nil {
		return err
	}
	if err := upToDate(root); err != nil {
		return err
	}
	if err := becomeSubreaper(); err != nil {
		return err
	}
	var chosen []*Patch
	var all []Catch
	for _, p := range patches {
		if only == "" || strings.HasPrefix(p.Name, only) {
			chosen = append(chosen, p)
			all = append(all, p.Catches...)
		}
	}
	if problems := checkWith(root, all); len(problems) > 0 {
		return report(problems)
	}
	work := filepath.Join(root, ".cache", "patch-check")
	h, err := newHistory(root, work, patches)
	if err != nil {
		return err
	}
	mod, err := writeModFile(root, work, h.tree)
	if err != nil {
		return err
	}
	var problems []string
	for _, p := range chosen {
		fmt.Printf("patchcheck: without %s\n", p.Name)
		if err := h.without(p); err != nil {
			fmt.Printf("  ERROR %v\n", err)
			problems = append(problems, err.Error())
			continue
		}
		problems = append(problems, checkWithout(root, mod, p)...)
	}
	fmt.Printf("patchcheck: %d of %d patches in %.0fs\n", len(chosen), len(patches), time.Since(start).Seconds())
	if len(problems) > 0 {
		return report(problems)
	}
	return nil
}

// checkWith runs every catching test with every patch (third_party/delve)
// and returns what did not pass: a test that does not run there was
// renamed or removed, and its patch header must follow.
func checkWith(root string, catches []Catch) []string {
	var problems []string
	fmt.Printf("patchcheck: with every patch (third_party/delve)\n")
	for _, g := range groups(catches) {
		r, err := goTest(root, "", g)
		if left := reapOrphans(); len(left) > 0 {
			problems = append(problems, fmt.Sprintf("%s %v left processes running, killed now:\n%s", g.pkg, g.names, strings.Join(left, "\n")))
		}
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		for _, name := range g.names {
			st := r.Status[name]
			fmt.Printf("  %-4s %s %s (%.0fs)\n", orMissing(st), g.pkg, name, r.Took.Seconds())
			switch {
			case r.BuildFailed != "":
				problems = append(problems, fmt.Sprintf("%s %s does not build with every patch:\n%s", g.pkg, name, lastLines(r.BuildFailed, 10)))
			case st == "":
				problems = append(problems, fmt.Sprintf("%s %s did not run with every patch: renamed or removed? fix the patch header", g.pkg, name))
			case st != "pass":
				problems = append(problems, fmt.Sprintf("%s %s: %s with every patch:\n%s", g.pkg, name, st, failureLines(r.why(name), 5)))
			}
		}
	}
	return problems
}

// checkWithout runs p's catching tests on the tree without p and returns
// what did not fail.
func checkWithout(root, mod string, p *Patch) []string {
	var problems []string
	for _, g := range groups(p.Catches) {
		r, err := goTest(root, mod, g)
		if left := reapOrphans(); len(left) > 0 {
			fmt.Printf("  killed what the failing tests left running:\n      %s\n", strings.Join(left, "\n      "))
		}
		if err != nil {
			fmt.Printf("  ERROR %v\n", err)
			problems = append(problems, err.Error())
			continue
		}
		for _, name := range g.names {
			st := r.Status[name]
			switch {
			case r.BuildFailed != "":
				fmt.Printf("  caught %s %s: build fails (%.0fs)\n      %s\n", g.pkg, name, r.Took.Seconds(), indent(firstLines(r.BuildFailed, 3)))
			case st == "fail":
				fmt.Printf("  caught %s %s: fails (%.0fs)\n      %s\n", g.pkg, name, r.Took.Seconds(), indent(failureLines(r.why(name), 3)))
			default:
				fmt.Printf("  MISSED %s %s: %s (%.0fs)\n", g.pkg, name, orMissing(st), r.Took.Seconds())
				problems = append(problems, fmt.Sprintf("without %s, %s %s %s: it does not catch the patch's removal", p.Name, g.pkg, name, orMissing(st)))
			}
		}
	}
	return problems
}

func readPatches(dir string) ([]*Patch, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.patch"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("no patches in %s", dir)
	}
	var out []*Patch
	for _, n := range names {
		p, err := readPatch(n)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// upToDate refuses to compare against a third_party/delve that is not the
// tree the lock file and patches describe.
func upToDate(root string) error {
	cmd := exec.Command("go", "run", "./delvetree", "-root", root, "-check")
	cmd.Dir = filepath.Join(root, "scripts")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("third_party/delve is not up to date (run make delve): %s", strings.TrimSpace(string(out)))
	}
	return nil
}

func report(problems []string) error {
	for _, p := range problems {
		fmt.Fprintf(os.Stderr, "patchcheck: %s\n", p)
	}
	return fmt.Errorf("%d problem(s)", len(problems))
}

func orMissing(status string) string {
	if status == "" {
		return "did not run"
	}
	return status
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n      ") }
