package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/srcpath"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// sample is a fixed report that exercises every part of the output: each
// severity, evidence with and without offsets, fixes with and without a
// command, substitutePath rules, a binding and a failing breakpoint, and a
// check that failed to run.
func sample() *finding.Report {
	nodwarf := finding.New("BP-NODWARF",
		finding.Evidence{Source: "elf:section-headers", Offset: 0x190, Fact: "no .debug_info or .zdebug_info section"},
		finding.Evidence{Source: "buildinfo", Offset: -1, Fact: `-ldflags="-s -w"`})
	nodwarf.Check = "dwarf-present"
	nodwarf.Fixes = dwarfcheck.RebuildFixes(dwarfcheck.NewInput("/build/app"))
	opt := finding.New("BP-OPT", finding.Evidence{Source: "dwarf:cu main", Offset: 0x14b, Fact: `DW_AT_producer "Go cmd/compile go1.26.8; regabi"`})
	opt.Check = "optimization"
	pie := finding.New("BP-PIE", finding.Evidence{Source: "elf:header", Offset: 0x10, Fact: "e_type ET_DYN"})
	pie.Check = "pie"
	path := finding.New("BP-PATH", finding.Evidence{Source: "workspace", Offset: -1, Fact: "editor path /home/ana/app"})
	path.Check = "source"
	path.Fixes = srcpath.RuleFixes(srcpath.PathRule{From: "/home/ana/app", To: "/app"})
	nostmt := finding.New("BP-NOSTMT", finding.Evidence{Source: "delve:find-file-location", Offset: -1, Fact: "nearest lines with statements: 16, 19"})
	nostmt.Check = "break"
	rep := &finding.Report{
		Binary:    "/build/app",
		GoVersion: "go1.26.8",
		Result: finding.Result{
			Findings: []finding.Finding{nodwarf, opt, pie, path},
			Errors:   []*finding.CheckError{{Check: "stale", Err: os.ErrPermission}},
			Passed:   []string{"elf-headers", "architecture"},
			Skipped:  []string{"dwarf-units"},
		},
		PathRules: []finding.PathRule{{From: "/home/ana/app", To: "/app"}},
		Breaks: []finding.BreakVerdict{
			{Location: "main.main", Kind: "function", Binds: true, Addrs: []finding.BreakAddr{
				{PC: 0x4aaf13, File: "/app/main.go", Line: 21, Function: "main.main"},
				{PC: 0x4ab000, File: "/app/main.go", Line: 30, Function: "main.run", Inlined: true}}},
			{Location: "main.go:17", Kind: "line", Findings: []finding.Finding{nostmt}},
			{Location: "main.go:18", Kind: "line", Findings: []finding.Finding{nostmt}},
		},
	}
	return rep
}

func TestGolden(t *testing.T) {
	render := map[string]func(*bytes.Buffer, *finding.Report) error{
		"text":         func(b *bytes.Buffer, r *finding.Report) error { return Text(b, r, TextOptions{}) },
		"text-verbose": func(b *bytes.Buffer, r *finding.Report) error { return Text(b, r, TextOptions{Verbose: true}) },
		"json":         func(b *bytes.Buffer, r *finding.Report) error { return JSON(b, r) },
		"sarif":        func(b *bytes.Buffer, r *finding.Report) error { return SARIF(b, r) },
		"clean-text": func(b *bytes.Buffer, _ *finding.Report) error {
			return Text(b, &finding.Report{Binary: "app", GoVersion: "go1.26.8", Result: finding.Result{Passed: []string{"a", "b"}}}, TextOptions{})
		},
		"clean-json": func(b *bytes.Buffer, _ *finding.Report) error {
			return JSON(b, &finding.Report{Binary: "app"})
		},
	}
	for name, f := range render {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := f(&b, sample()); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name, b.Bytes())
		})
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; run: go test ./finding/report -run TestGolden -update", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs; run: go test ./finding/report -run TestGolden -update\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

// TestJSONSchema checks the documented invariants of the JSON output.
func TestJSONSchema(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, sample()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema   string `json:"schema"`
		ExitCode int    `json:"exit_code"`
		Findings []struct {
			ID       string `json:"id"`
			Severity string `json:"severity"`
			Evidence []struct {
				Offset *string `json:"offset"`
			} `json:"evidence"`
		} `json:"findings"`
		Breakpoints []struct {
			Addresses []struct {
				PC string `json:"pc"`
			} `json:"addresses"`
		} `json:"breakpoints"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != SchemaVersion || doc.ExitCode != finding.ExitFailed {
		t.Errorf("schema %q exit %d", doc.Schema, doc.ExitCode)
	}
	for _, f := range doc.Findings {
		for _, e := range f.Evidence {
			if e.Offset != nil && !strings.HasPrefix(*e.Offset, "0x") {
				t.Errorf("%s: offset %q is not 0x-prefixed", f.ID, *e.Offset)
			}
		}
	}
	if pc := doc.Breakpoints[0].Addresses[0].PC; pc != "0x4aaf13" {
		t.Errorf("pc %q", pc)
	}
}

// TestSARIFShape checks what code-scanning services require of SARIF 2.1.0.
func TestSARIFShape(t *testing.T) {
	var b bytes.Buffer
	if err := SARIF(&b, sample()); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID string `json:"ruleId"`
				Level  string `json:"level"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
	}
	rules := map[string]bool{}
	for _, r := range log.Runs[0].Tool.Driver.Rules {
		rules[r.ID] = true
	}
	for _, r := range log.Runs[0].Results {
		if !rules[r.RuleID] {
			t.Errorf("result %s has no rule", r.RuleID)
		}
		switch r.Level {
		case "error", "warning", "note":
		default:
			t.Errorf("result %s: level %q", r.RuleID, r.Level)
		}
	}
	if len(log.Runs[0].Results) != 6 {
		t.Errorf("%d results, want 6 (4 findings + 2 breakpoint findings)", len(log.Runs[0].Results))
	}
}
