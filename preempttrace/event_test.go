package preempttrace

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestWriterJSONNeverLimited(t *testing.T) {
	var out bytes.Buffer
	w := &Writer{Out: &out, JSON: true, LinesPerSecond: 1}
	s := &Summary{Start: time.Unix(100, 0), End: time.Unix(102, 0)}
	now := time.Unix(101, 0)
	for i := range 50 {
		e := Event{Goroutine: int64(1 + i%2), Time: now, Function: "main.spin", File: "main.go", Line: 26 + i%3}
		s.Add(e)
		w.Event(e)
	}
	if err := w.Summary(s); err != nil {
		t.Fatal(err)
	}
	var events int
	var last map[string]any
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		last = nil
		if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if last["type"] == "event" {
			events++
			for _, k := range []string{"goroutine", "function", "file", "line"} {
				if _, ok := last[k]; !ok {
					t.Errorf("event %s has no %q", sc.Text(), k)
				}
			}
		}
	}
	if events != 50 || last["type"] != "summary" || last["total_events"] != float64(50) {
		t.Errorf("%d events, last object %v: want 50 events and a summary with total_events 50", events, last)
	}
	if got := last["events_per_s"]; got != float64(25) {
		t.Errorf("rate %v, want 25 (50 events in 2s)", got)
	}
}

func TestWriterTextRateLimit(t *testing.T) {
	var out bytes.Buffer
	w := &Writer{Out: &out, LinesPerSecond: 10}
	start := time.Unix(100, 0)
	for i := range 100 { // 100 events in one second
		w.Event(Event{Goroutine: 1, Time: start.Add(time.Duration(i) * 10 * time.Millisecond), Function: "main.spin"})
	}
	lines := strings.Count(out.String(), "\n")
	if lines != 10 {
		t.Errorf("%d live lines for 100 events in 1s at 10 lines/s, want 10:\n%s", lines, out.String())
	}
	if !strings.Contains(out.String(), "(+9 not shown)") {
		t.Errorf("live lines do not count the events not shown:\n%s", out.String())
	}
}

func TestSummaryOrder(t *testing.T) {
	var s Summary
	for _, fn := range []string{"a", "b", "b", "c", "c", "c"} {
		s.Add(Event{Function: fn, Goroutine: int64(len(fn))})
	}
	fns := s.Functions()
	if len(fns) != 3 || fns[0].Key != "c" || fns[0].Events != 3 || fns[2].Key != "a" {
		t.Errorf("functions %v, want c:3 b:2 a:1", fns)
	}
}

// TestWriterTextTopGoroutines lists the busiest goroutines and counts the
// rest in one line, so that a program with thousands stays readable.
func TestWriterTextTopGoroutines(t *testing.T) {
	var out bytes.Buffer
	w := &Writer{Out: &out, Top: 2}
	s := &Summary{Start: time.Unix(100, 0), End: time.Unix(101, 0)}
	for _, g := range []int64{7, 7, 7, 8, 8, 9, 10} {
		s.Add(Event{Goroutine: g, Function: "main.spin"})
	}
	if err := w.Summary(s); err != nil {
		t.Fatal(err)
	}
	_, table, _ := strings.Cut(out.String(), "top goroutines\n")
	want := "  events      %  goroutine\n" +
		"       3   42.9  7\n" +
		"       2   28.6  8\n" +
		"       2   28.6  2 more goroutines\n"
	if table != want {
		t.Errorf("goroutine table:\n%s\nwant:\n%s", table, want)
	}
}
