package preempttrace

import (
	"bytes"
	"debug/elf"
	"os"
	"testing"
	"time"

	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/dlvx/dlvx/preempt"
	"github.com/dlvx/dlvx/resolver"
)

func TestMain(m *testing.M) {
	resolver.Install(&resolver.Resolver{})
	code := m.Run()
	fixtures.Cleanup()
	os.Exit(code)
}

// spinLines returns the lines of spin's loop, where every preemption of
// a spinning goroutine must land, and churn's allocating line.
func spinLines(t *testing.T) map[int]bool {
	lines := map[int]bool{}
	for _, mark := range []string{"spin-loop", "spin-body", "spin-mix", "churn"} {
		lines[fixtures.Line(t, "spin", "main.go", mark)] = true
	}
	return lines
}

// collect runs trace with o and returns the events it delivered.
func collect(t *testing.T, trace func(Options) (*Summary, error), o Options) ([]Event, *Summary) {
	t.Helper()
	var events []Event
	o.Event = func(e Event) { events = append(events, e) }
	sum, err := trace(o)
	if err != nil {
		t.Fatalf("trace %s: %v", o.Location, err)
	}
	if sum.Total != len(events) {
		t.Errorf("summary counts %d events, %d were delivered", sum.Total, len(events))
	}
	return events, sum
}

// checkSpinEvents fails unless there are events and each is a preemption
// of main.spin on one of its loop's lines.
func checkSpinEvents(t *testing.T, events []Event) {
	t.Helper()
	if len(events) == 0 {
		t.Fatal("no events")
	}
	lines := spinLines(t)
	for _, e := range events {
		if (e.Function != "main.spin" && e.Function != "main.churn") || !lines[e.Line] {
			t.Errorf("event %+v: want main.spin or main.churn at one of lines %v", e, lines)
		}
	}
}

func TestPtraceEntryExec(t *testing.T) {
	fixtures.Require(t, fixtures.AMD64)
	for _, v := range []fixtures.Variant{fixtures.NoOpt, fixtures.PIE} {
		t.Run(v.Name, func(t *testing.T) {
			bin := fixtures.Build(t, "spin", v)
			// The program ends by itself: the trace ends with it.
			events, sum := collect(t, Ptrace, Options{Location: "preempt:entry", Args: []string{bin, "-for", "1500ms"}})
			checkSpinEvents(t, events)
			if got := len(sum.Goroutines()); got < 2 {
				t.Errorf("events on %d goroutines, want the 2 spinning ones", got)
			}
		})
	}
}

// TestPtraceAttachFilter attaches twice to one program: unfiltered, then
// filtered to one goroutine seen the first time; the program then runs to
// its normal exit, with the hook's code as the file has it.
func TestPtraceAttachFilter(t *testing.T) {
	fixtures.Require(t, fixtures.AMD64)
	bin := fixtures.Build(t, "spin", fixtures.NoOpt)
	p := fixtures.StartReady(t, bin, "-for", "8s")
	events, _ := collect(t, Ptrace, Options{Location: "preempt:entry", Pid: p.PID, For: time.Second})
	checkSpinEvents(t, events)
	g := events[0].Goroutine
	loc := "preempt:entry@g" + itoa(g)
	filtered, _ := collect(t, Ptrace, Options{Location: loc, Pid: p.PID, For: time.Second})
	checkSpinEvents(t, filtered)
	for _, e := range filtered {
		if e.Goroutine != g {
			t.Errorf("%s delivered an event of goroutine %d", loc, e.Goroutine)
		}
	}
	checkHookText(t, bin, p.PID)
	if err := p.Wait(t); err != nil {
		t.Errorf("traced program did not exit normally: %v", err)
	}
}

// checkHookText compares the code at preempt:entry in pid's memory with
// the executable's.
func checkHookText(t *testing.T, bin string, pid int) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	table, err := preempt.Find(f)
	if err != nil {
		t.Fatal(err)
	}
	addr := table.Sites[preempt.Entry][0].Addr()
	text := f.Section(".text")
	want := make([]byte, 16)
	if _, err := text.ReadAt(want, int64(addr-text.Addr)); err != nil {
		t.Fatal(err)
	}
	mem, err := os.Open("/proc/" + itoa(int64(pid)) + "/mem")
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	got := make([]byte, len(want))
	if _, err := mem.ReadAt(got, int64(addr)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("code at preempt:entry %#x after tracing: % x, the file has % x", addr, got, want)
	}
}
