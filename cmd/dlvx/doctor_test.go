package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// runDlvx runs the built dlvx and returns stdout and the exit status.
func runDlvx(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(dlvxBin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return out.String(), ee.ExitCode()
	case err != nil:
		t.Fatalf("dlvx %v: %v", args, err)
	}
	return out.String(), 0
}

func TestDoctorExitCodes(t *testing.T) {
	noopt := fixtures.Build(t, "worker", fixtures.NoOpt)
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"debug build is clean", []string{"doctor", noopt}, 0},
		{"plain build warns only", []string{"doctor", fixtures.Build(t, "worker", fixtures.Default)}, 0},
		{"stripped is an error", []string{"doctor", fixtures.Build(t, "worker", fixtures.Stripped)}, 1},
		{"unbound break is an error", []string{"doctor", noopt, "--break", "nosuch.go:1"}, 1},
		{"bound break", []string{"doctor", noopt, "--break", "main.work"}, 0},
		{"missing file", []string{"doctor", filepath.Join(t.TempDir(), "nothing")}, 2},
		{"not an executable", []string{"doctor", filepath.Join(fixtures.Dir("worker"), "main.go")}, 2},
		{"explain", []string{"doctor", "--explain", "bp-nodwarf"}, 0},
		{"explain unknown", []string{"doctor", "--explain", "BP-NOPE"}, 2},
		{"json and sarif", []string{"doctor", noopt, "--json", "--sarif"}, 2},
		{"severity policy raises", []string{"doctor", fixtures.Build(t, "worker", fixtures.Default), "--severity", "BP-OPT=error"}, 1},
		{"severity policy lowers", []string{"doctor", fixtures.Build(t, "worker", fixtures.Stripped), "--severity", "bp-nodwarf=warning"}, 0},
		{"unknown severity ID", []string{"doctor", noopt, "--severity", "BP-NOPE=error"}, 2},
		{"unknown check", []string{"doctor", noopt, "--only", "no-such-check"}, 2},
		{"only one check", []string{"doctor", fixtures.Build(t, "worker", fixtures.Stripped), "--only", "pie"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, code := runDlvx(t, tc.args...)
			if code != tc.want {
				t.Errorf("dlvx %v: exit %d, want %d\n%s", tc.args, code, tc.want, out)
			}
		})
	}
}

func TestDoctorJSONAndSARIF(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.Stripped)
	out, _ := runDlvx(t, "doctor", "--json", bin, "--break", "main.main")
	var rep struct {
		Schema   string
		ExitCode int `json:"exit_code"`
		Findings []struct{ ID string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if rep.ExitCode != 1 || len(rep.Findings) == 0 || rep.Findings[0].ID != "BP-NODWARF" {
		t.Errorf("--json: %+v", rep)
	}
	out, _ = runDlvx(t, "doctor", "--sarif", bin)
	var sarif struct{ Version string }
	if err := json.Unmarshal([]byte(out), &sarif); err != nil || sarif.Version != "2.1.0" {
		t.Errorf("--sarif: %v, version %q", err, sarif.Version)
	}
}

// TestDoctorPredictsDlvx asks the doctor about breakpoints, then sets the
// same breakpoints with `dlvx exec --init` on the same binary: the doctor's
// "binds" must be exactly where dlvx sets a breakpoint.
func TestDoctorPredictsDlvx(t *testing.T) {
	line := func(label string) string {
		return "main.go:" + strconv.Itoa(fixtures.Line(t, "breakcases", "main.go", label))
	}
	locs := []string{line("add-body"), line("loop-call"), line("comment-line"), "main.add", "main.unused", "main.main", "nosuch.go:3"}
	go124 := fixtures.Variant{Name: "go1.24", Flags: []string{"-gcflags=all=-N -l"}, Env: []string{"GOTOOLCHAIN=go1.24.0"}}
	for _, v := range []fixtures.Variant{fixtures.NoOpt, fixtures.Default, fixtures.Stripped, fixtures.PIE, fixtures.Trimpath, go124} {
		t.Run(v.Name, func(t *testing.T) {
			fixtures.NeedToolchain(t, v)
			bin := fixtures.Build(t, "breakcases", v)
			args := []string{"doctor", "--json", bin}
			for _, l := range locs {
				args = append(args, "--break", l)
			}
			out, _ := runDlvx(t, args...)
			var rep struct {
				Breakpoints []struct {
					Location string
					Binds    bool
					Findings []struct{ ID string }
				}
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			got := dlvxSets(t, bin, locs)
			for i, b := range rep.Breakpoints {
				// A Go-version finding means "binds only with
				// --check-go-version=false": dlvx exec refuses the binary.
				want := b.Binds
				for _, f := range b.Findings {
					want = want && !strings.HasPrefix(f.ID, "ENV-VERSION-")
				}
				if want != got[i] {
					t.Errorf("%s: doctor predicts set=%v (binds=%v), dlvx exec set it: %v", b.Location, want, b.Binds, got[i])
				}
			}
		})
	}
}

// dlvxSets runs `dlvx exec` with an init script that sets each location
// (each with a distinct breakpoint name) and reports which were set.
func dlvxSets(t *testing.T, bin string, locs []string) []bool {
	t.Helper()
	var script strings.Builder
	for i, l := range locs {
		fmt.Fprintf(&script, "break b%d %s\n", i, l)
	}
	script.WriteString("exit\n")
	init := filepath.Join(t.TempDir(), "init")
	if err := os.WriteFile(init, []byte(script.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(dlvxBin, "exec", "--allow-non-terminal-interactive=true", "--init", init, bin)
	out, _ := cmd.CombinedOutput()
	set := make([]bool, len(locs))
	re := regexp.MustCompile(`(?m)^Breakpoint b(\d+) set at`)
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		n, _ := strconv.Atoi(m[1])
		set[n] = true
	}
	// A location resolving to an address that already has a breakpoint
	// (main.add inlined at the line of its body) binds too.
	dup := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(init) + `:(\d+): Breakpoint exists at`)
	for _, m := range dup.FindAllStringSubmatch(string(out), -1) {
		n, _ := strconv.Atoi(m[1])
		set[n-1] = true
	}
	return set
}

// TestDoctorOneFormat: every mode refuses --json with --sarif, before it
// reads anything.
func TestDoctorOneFormat(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	for _, mode := range [][]string{{bin}, {"--pid", strconv.Itoa(os.Getpid())}, {"--core", bin}, {"--launch", bin}} {
		cmd := exec.Command(dlvxBin, append([]string{"doctor", "--json", "--sarif"}, mode...)...)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "--json and --sarif are exclusive") {
			t.Errorf("doctor %v with --json --sarif: %v\n%s", mode[0], err, out)
		}
	}
}
