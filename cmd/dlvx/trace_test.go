package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"regexp"
	"strconv"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// traceEvent is the part of a --json line the tests read.
type traceEvent struct {
	Type        string `json:"type"`
	Goroutine   int64  `json:"goroutine"`
	Function    string `json:"function"`
	Line        int    `json:"line"`
	TotalEvents int    `json:"total_events"`
}

// runTraceJSON runs dlvx trace --json with args and returns the events and
// the summary object.
func runTraceJSON(t *testing.T, args ...string) ([]traceEvent, traceEvent) {
	t.Helper()
	cmd := exec.Command(dlvxBin, append([]string{"trace", "--json"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("dlvx trace --json %v: %v\n%s", args, err, stderr.Bytes())
	}
	var events []traceEvent
	var sum traceEvent
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var e traceEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("standard output line %q is not JSON: %v", sc.Text(), err)
		}
		switch e.Type {
		case "event":
			events = append(events, e)
		case "summary":
			sum = e
		default:
			t.Fatalf("line %q: unknown type", sc.Text())
		}
	}
	if sum.Type != "summary" || sum.TotalEvents != len(events) {
		t.Errorf("summary %+v after %d events", sum, len(events))
	}
	return events, sum
}

func TestTraceHookJSON(t *testing.T) {
	fixtures.Require(t, fixtures.AMD64)
	bin := fixtures.Build(t, "spin", fixtures.NoOpt)
	events, _ := runTraceJSON(t, "--exec", bin, "preempt:entry", "--", "-for", "1500ms")
	if len(events) == 0 {
		t.Fatal("no events")
	}
	lines := map[int]bool{}
	for _, m := range []string{"spin-loop", "spin-body", "spin-mix"} {
		lines[fixtures.Line(t, "spin", "main.go", m)] = true
	}
	for _, e := range events {
		if e.Function != "main.spin" || !lines[e.Line] {
			t.Errorf("event %+v: want a preemption of main.spin on lines %v", e, lines)
		}
	}
}

// TestTracePackageText builds the package as dlv trace does and checks
// the text summary against the live lines' goroutines.
func TestTracePackageText(t *testing.T) {
	fixtures.Require(t, fixtures.AMD64)
	fixtures.Long(t, "builds the fixture through dlvx trace")
	cmd := exec.Command(dlvxBin, "trace", ".", "main.spin+0", "--", "-for", "1s")
	cmd.Dir = fixtures.Dir("spin")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("dlvx trace .: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?m)^(\d+) events in .*on (\d+) goroutines`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no summary line:\n%s", out)
	}
	live := len(regexp.MustCompile(`(?m)^> goroutine\(\d+\) thread \d+: main\.spin at main\.go:\d+`).FindAll(out, -1))
	if n, _ := strconv.Atoi(string(m[1])); n == 0 || n < live {
		t.Errorf("summary counts %s events, %d live lines:\n%s", m[1], live, out)
	}
}
