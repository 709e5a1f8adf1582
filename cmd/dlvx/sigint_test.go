package main

import (
	"regexp"
	"strconv"
	"syscall"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// SIGINT at the prompt of an attached session, where the target is already
// stopped, must queue no signal for the target. Delve halted it anyway
// (patch 0008): with the native backend a halt is kill(pid, SIGTRAP), which
// stays pending while the target is stopped and kills it once it runs
// untraced.
func TestSigintAtPromptQueuesNoSignal(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tg := startTarget(t, bin, "-n", "200", "-pause", "10ms")
	s := startInteractive(t, neverHit, "attach", strconv.Itoa(tg.PID), bin)
	s.out.waitFor(t, prompt)
	// Delve handles one SIGINT at a time: once it reports the second, it
	// has finished with the first, halt included.
	s.cmd.Process.Signal(syscall.SIGINT)
	s.out.waitFor(t, regexp.MustCompile(`received SIGINT`))
	s.cmd.Process.Signal(syscall.SIGINT)
	out := s.out.waitFor(t, regexp.MustCompile(`(?s)received SIGINT.*received SIGINT`))
	st := procStatus(t, tg.PID)
	if st == nil {
		t.Fatalf("pid %d is gone:\n%s", tg.PID, out)
	}
	pending := st.ShdPnd
	if trap := uint64(1) << (syscall.SIGTRAP - 1); pending&trap != 0 {
		t.Errorf("SIGINT at the prompt left SIGTRAP pending for the stopped target (ShdPnd %016x):\n%s", pending, out)
	}
	s.stdin.Close()
	if status, out := s.exitStatus(t); status != 0 {
		t.Fatalf("dlvx exited %d:\n%s", status, out)
	}
	checkReleased(t, tg, bin, breakpointAddr(t, out))
}
