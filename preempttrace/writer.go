package preempttrace

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"time"
)

// A Writer prints events as they come and the summary at the end.
type Writer struct {
	Out  io.Writer
	JSON bool // one JSON object per event, never rate-limited, summary last
	// LinesPerSecond limits the live text lines (0: DefaultLinesPerSecond);
	// events over the limit are counted and named in the next line shown.
	LinesPerSecond int
	// Top is how many functions, lines and goroutines the text summary
	// lists (0: DefaultTop); the other goroutines are counted in one line.
	Top int

	err     error
	next    time.Time
	skipped int
}

// Defaults of Writer.
const (
	DefaultLinesPerSecond = 20
	DefaultTop            = 10
)

// jsonEvent is an Event on the wire.
type jsonEvent struct {
	Type      string `json:"type"` // "event"
	Goroutine int64  `json:"goroutine"`
	Thread    int    `json:"thread"`
	TimeNS    int64  `json:"time_ns"`
	PC        string `json:"pc"`
	Function  string `json:"function"`
	File      string `json:"file"`
	Line      int    `json:"line"`
}

type jsonCount struct {
	Function  string `json:"function,omitempty"`
	File      string `json:"file,omitempty"`
	Line      int    `json:"line,omitempty"`
	Goroutine int64  `json:"goroutine,omitempty"`
	Events    int    `json:"events"`
}

// jsonSummary is a Summary on the wire.
type jsonSummary struct {
	Type        string      `json:"type"` // "summary"
	TotalEvents int         `json:"total_events"`
	Dropped     uint64      `json:"dropped_events"`
	DurationS   float64     `json:"duration_s"`
	RatePerS    float64     `json:"events_per_s"`
	Functions   []jsonCount `json:"functions"`
	Lines       []jsonCount `json:"lines"`
	Goroutines  []jsonCount `json:"goroutines"`
}

// Event prints e: always as JSON, as text at most LinesPerSecond times a
// second.
func (w *Writer) Event(e Event) {
	if w.JSON {
		w.encode(jsonEvent{"event", e.Goroutine, e.Thread, e.Time.UnixNano(), fmt.Sprintf("%#x", e.PC), e.Function, e.File, e.Line})
		return
	}
	if e.Time.Before(w.next) {
		w.skipped++
		return
	}
	lps := w.LinesPerSecond
	if lps <= 0 {
		lps = DefaultLinesPerSecond
	}
	w.next = e.Time.Add(time.Second / time.Duration(lps))
	more := ""
	if w.skipped > 0 {
		more = fmt.Sprintf(" (+%d not shown)", w.skipped)
		w.skipped = 0
	}
	w.printf("> goroutine(%d) thread %d: %s at %s:%d %#x%s\n", e.Goroutine, e.Thread, orUnknown(e.Function), filepath.Base(e.File), e.Line, e.PC, more)
}

// Summary prints s and returns the first write error of w.
func (w *Writer) Summary(s *Summary) error {
	if w.JSON {
		js := jsonSummary{Type: "summary", TotalEvents: s.Total, Dropped: s.Dropped, DurationS: s.Duration().Seconds(), RatePerS: s.Rate(),
			Functions: []jsonCount{}, Lines: []jsonCount{}, Goroutines: []jsonCount{}}
		for _, c := range s.Functions() {
			js.Functions = append(js.Functions, jsonCount{Function: c.Key, Events: c.Events})
		}
		for _, c := range s.Lines() {
			js.Lines = append(js.Lines, jsonCount{Function: c.Key.Function, File: c.Key.File, Line: c.Key.Line, Events: c.Events})
		}
		for _, c := range s.Goroutines() {
			js.Goroutines = append(js.Goroutines, jsonCount{Goroutine: c.Key, Events: c.Events})
		}
		w.encode(js)
		return w.err
	}
	w.text(s)
	return w.err
}

func (w *Writer) text(s *Summary) {
	top := w.Top
	if top <= 0 {
		top = DefaultTop
	}
	w.printf("\n%d events in %.2fs (%.1f/s) on %d goroutines", s.Total, s.Duration().Seconds(), s.Rate(), len(s.Goroutines()))
	if s.Dropped > 0 {
		w.printf(", %d lost", s.Dropped)
	}
	w.printf("\n")
	if s.Total == 0 {
		return
	}
	w.printf("\ntop functions\n%8s %6s  %s\n", "events", "%", "function")
	for _, c := range head(s.Functions(), top) {
		w.printf("%8d %6.1f  %s\n", c.Events, pct(c.Events, s.Total), orUnknown(c.Key))
	}
	w.printf("\ntop lines\n%8s %6s  %s\n", "events", "%", "line")
	for _, c := range head(s.Lines(), top) {
		w.printf("%8d %6.1f  %s:%d %s\n", c.Events, pct(c.Events, s.Total), c.Key.File, c.Key.Line, orUnknown(c.Key.Function))
	}
	gs := s.Goroutines()
	w.printf("\ntop goroutines\n%8s %6s  %s\n", "events", "%", "goroutine")
	for _, c := range head(gs, top) {
		w.printf("%8d %6.1f  %d\n", c.Events, pct(c.Events, s.Total), c.Key)
	}
	if rest := gs[min(top, len(gs)):]; len(rest) > 0 {
		n := 0
		for _, c := range rest {
			n += c.Events
		}
		w.printf("%8d %6.1f  %d more goroutines\n", n, pct(n, s.Total), len(rest))
	}
}

func head[T any](s []T, n int) []T { return s[:min(n, len(s))] }

func pct(n, total int) float64 { return 100 * float64(n) / float64(total) }

func orUnknown(fn string) string {
	if fn == "" {
		return "?"
	}
	return fn
}

func (w *Writer) encode(v any) {
	if w.err == nil {
		w.err = json.NewEncoder(w.Out).Encode(v)
	}
}

func (w *Writer) printf(format string, args ...any) {
	if w.err == nil {
		_, w.err = fmt.Fprintf(w.Out, format, args...)
	}
}
