package main

import (
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// stopLine matches the terminal's report of a stop: "> [Breakpoint N] FUNC() FILE:LINE".
var stopLine = regexp.MustCompile(`(?m)^> \[Breakpoint (\d+)\] (\S+)\(\) (\S+):(\d+) `)

type stop struct {
	bp   int
	fn   string
	file string
	line int
}

func stops(out string) []stop {
	var s []stop
	for _, m := range stopLine.FindAllStringSubmatch(out, -1) {
		bp, _ := strconv.Atoi(m[1])
		line, _ := strconv.Atoi(m[4])
		s = append(s, stop{bp, m[2], m[3], line})
	}
	return s
}

func TestExecInitScript(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	loopCall := fixtures.Line(t, "worker", "main.go", "loop-call")
	script := []string{
		"break main.work",
		"condition 1 i == 1",
		fmt.Sprintf("break main.go:%d", loopCall),
		"continue",
		"clear 2",
		"continue",
		"stack",
		"print i",
	}
	out := startDlvx(t, t.TempDir(), script, "exec", bin, "--", "-n", "3").wait(t)
	got := stops(out)
	if len(got) != 2 {
		t.Fatalf("want 2 stops, got %v\n%s", got, out)
	}
	if got[0].bp != 2 || got[0].fn != "main.main" || got[0].line != loopCall {
		t.Errorf("first stop %+v, want breakpoint 2 in main.main at line %d", got[0], loopCall)
	}
	if got[1].bp != 1 || got[1].fn != "main.work" {
		t.Errorf("second stop %+v, want breakpoint 1 in main.work", got[1])
	}
	if filepath.Base(got[0].file) != "main.go" {
		t.Errorf("stop in file %s, want the fixture's main.go", got[0].file)
	}
	// stack: frame 0 is main.work, frame 1 the call site in main.main.
	frames := regexp.MustCompile(`(?m)^(\d+)\s+0x[0-9a-f]+ in (\S+)\n\s+at (\S+):(\d+)$`).FindAllStringSubmatch(out, -1)
	if len(frames) < 2 || frames[0][2] != "main.work" || frames[1][2] != "main.main" || frames[1][4] != strconv.Itoa(loopCall) {
		t.Errorf("stack: want main.work then main.main at line %d, got %q\n%s", loopCall, frames, out)
	}
	// print i: the condition stopped on the second call, so i is 1.
	if !regexp.MustCompile(`(?m)^1$`).MatchString(out[strings.LastIndex(out, "main.work"):]) {
		t.Errorf("print i did not show 1:\n%s", out)
	}
}

func TestAttachDetachOnEOF(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tg := startTarget(t, bin, "-n", "150", "-pause", "20ms")
	script := []string{"break main.work", "continue", "print i", "stack"}
	out := startDlvx(t, t.TempDir(), script, "attach", strconv.Itoa(tg.PID), bin).wait(t)
	got := stops(out)
	if len(got) != 1 || got[0].fn != "main.work" {
		t.Fatalf("want one stop in main.work, got %v\n%s", got, out)
	}
	if !strings.Contains(out, "detaching, the process keeps running") {
		t.Errorf("dlvx did not say it detached on EOF:\n%s", out)
	}
	addr := breakpointAddr(t, out)
	checkTextRestored(t, tg.PID, bin, addr)
	// A breakpoint left behind would kill the target with SIGTRAP at the next call.
	if last := tg.Finish(t); !strings.HasPrefix(last, "done ") {
		t.Errorf("target's last line %q, want done", last)
	}
}

// breakpointAddr returns the address of the first "Breakpoint N set at 0x…".
func breakpointAddr(t *testing.T, out string) uint64 {
	t.Helper()
	m := regexp.MustCompile(`Breakpoint \d+ set at (0x[0-9a-f]+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no breakpoint address in output:\n%s", out)
	}
	addr, err := strconv.ParseUint(m[1], 0, 64)
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// checkTextRestored compares the live process's text at addr with the
// executable's bytes: a breakpoint instruction left there differs.
func checkTextRestored(t *testing.T, pid int, bin string, addr uint64) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	text := f.Section(".text")
	if addr < text.Addr || addr >= text.Addr+text.Size {
		t.Fatalf("breakpoint address %#x is outside .text", addr)
	}
	want := make([]byte, 8)
	if _, err := text.ReadAt(want, int64(addr-text.Addr)); err != nil {
		t.Fatal(err)
	}
	mem, err := os.Open(fmt.Sprintf("/proc/%d/mem", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	got := make([]byte, len(want))
	if _, err := mem.ReadAt(got, int64(addr)); err != nil {
		t.Fatalf("read target text at %#x: %v", addr, err)
	}
	if string(got) != string(want) {
		t.Errorf("target text at %#x is % x, binary has % x: a breakpoint instruction was left behind", addr, got, want)
	}
}
