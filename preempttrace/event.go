package preempttrace

import (
	"cmp"
	"slices"
	"time"
)

// An Event is one hit of the traced location.
type Event struct {
	Goroutine int64     // goroutine ID; 0 when the thread ran no goroutine
	Thread    int       // OS thread ID
	Time      time.Time // when the hit was seen
	PC        uint64    // the event's frame: the preempted PC at a hook
	Function  string    // function of PC; "" when unknown
	File      string
	Line      int
}

// A Count is how many events one key had.
type Count[K comparable] struct {
	Key    K
	Events int
}

// A LineKey is a source line with its function.
type LineKey struct {
	Function string
	File     string
	Line     int
}

// A Summary aggregates events. Its zero value is ready; Add each event.
type Summary struct {
	Total   int
	Dropped uint64 // events the backend lost (eBPF ring buffer full)
	First   time.Time
	Last    time.Time
	Start   time.Time // when tracing started; rate is over Start..End
	End     time.Time

	funcs map[string]int
	lines map[LineKey]int
	gs    map[int64]int
}

// Add counts e.
func (s *Summary) Add(e Event) {
	if s.funcs == nil {
		s.funcs, s.lines, s.gs = map[string]int{}, map[LineKey]int{}, map[int64]int{}
	}
	s.Total++
	if s.First.IsZero() || e.Time.Before(s.First) {
		s.First = e.Time
	}
	if e.Time.After(s.Last) {
		s.Last = e.Time
	}
	s.funcs[e.Function]++
	s.lines[LineKey{e.Function, e.File, e.Line}]++
	s.gs[e.Goroutine]++
}

// Duration returns how long tracing ran.
func (s *Summary) Duration() time.Duration { return s.End.Sub(s.Start) }

// Rate returns events per second over the tracing time.
func (s *Summary) Rate() float64 {
	if d := s.Duration().Seconds(); d > 0 {
		return float64(s.Total) / d
	}
	return 0
}

// Functions returns the event count of every function, most events first.
func (s *Summary) Functions() []Count[string] { return sorted(s.funcs, cmp.Compare[string]) }

// Lines returns the event count of every line, most events first.
func (s *Summary) Lines() []Count[LineKey] {
	return sorted(s.lines, func(a, b LineKey) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Function, b.Function))
	})
}

// Goroutines returns the event count of every goroutine, most events first.
func (s *Summary) Goroutines() []Count[int64] { return sorted(s.gs, cmp.Compare[int64]) }

// sorted returns m's counts, most first, ties in key order.
func sorted[K comparable](m map[K]int, byKey func(a, b K) int) []Count[K] {
	out := make([]Count[K], 0, len(m))
	for k, n := range m {
		out = append(out, Count[K]{k, n})
	}
	slices.SortFunc(out, func(a, b Count[K]) int { return cmp.Or(cmp.Compare(b.Events, a.Events), byKey(a.Key, b.Key)) })
	return out
}
