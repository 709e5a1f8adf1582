package main

import (
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// Upstream dlv killed with an armed breakpoint leaves its instruction: the
// doctor names it at the right function without stopping the process,
// repair restores it, and the process ends normally.
func TestRepairAfterUpstreamDlvSIGKILL(t *testing.T) {
	up := upstreamDlv(t)
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tg := startTarget(t, bin, "-n", "6", "-pause", "1s")
	dlv := startServer(t, up, "attach", strconv.Itoa(tg.PID), "--headless", "--api-version", "2")
	c := rpcClient(t, dlv.addr)
	bp := createNeverHit(t, c)
	c.Continue()
	waitRunning(t, tg.PID)
	dlv.cmd.Process.Signal(syscall.SIGKILL)
	dlv.cmd.Wait()

	doctor, _ := exec.Command(dlvxBin, "doctor", "--pid", strconv.Itoa(tg.PID)).CombinedOutput()
	want := regexp.MustCompile(`AT-LEFTOVER-BP[^\n]*\n[^\n]*` + regexp.QuoteMeta(hex(bp.Addr)) + ` in main\.work \(main\.go:\d+\)`)
	if !want.Match(doctor) || !strings.Contains(string(doctor), "no dlvx journal lists it") {
		t.Fatalf("doctor --pid does not name the leftover in main.work at %#x:\n%s", bp.Addr, doctor)
	}
	if st := procStatus(t, tg.PID); st != nil && stopped(st) {
		t.Errorf("doctor left the process stopped: State %s", st.StateText)
	}
	out, err := exec.Command(dlvxBin, "repair", strconv.Itoa(tg.PID)).CombinedOutput()
	if err != nil || !strings.Contains(string(out), hex(bp.Addr)+" in main.work") {
		t.Fatalf("repair: %v\n%s", err, out)
	}
	checkWholeText(t, tg.PID, bin)
	if last := tg.Finish(t); !strings.HasPrefix(last, "done ") {
		t.Errorf("target's last line %q, want done", last)
	}
}

// repair refuses a process a live debugger traces.
func TestRepairRefusesTracedProcess(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tg := startTarget(t, bin, "-n", "100", "-pause", "10ms")
	addr, s := startHeadlessAttach(t, tg.PID)
	c := rpcClient(t, addr)
	out, err := exec.Command(dlvxBin, "repair", strconv.Itoa(tg.PID)).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "a live debugger") {
		t.Fatalf("repair of a traced process: %v\n%s", err, out)
	}
	c.Detach(false)
	s.exitStatus(t)
	if last := tg.Finish(t); !strings.HasPrefix(last, "done ") {
		t.Errorf("target's last line %q, want done", last)
	}
}

func hex(addr uint64) string { return "0x" + strconv.FormatUint(addr, 16) }
