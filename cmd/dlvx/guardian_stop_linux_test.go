package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dlvx/dlvx/attachcheck"
	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/dlvx/dlvx/textguard"
)

// A debugger killed while Delve's SIGSTOPs to the threads were still
// queued leaves them to be delivered once the threads are untraced: the
// process stops for good. Here the process is stopped with an armed
// breakpoint, as such a death leaves it, and the guardian, run with the
// debugger already dead, restores the byte, continues the process and
// says so; the process then runs to its normal end.
func TestGuardianContinuesDebuggerStop(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tg := startTarget(t, bin, "-n", "300", "-pause", "10ms")
	id, err := textguard.ReadIdentity(tg.PID)
	if err != nil {
		t.Fatal(err)
	}
	addr := neverCalled(t, bin)
	mem, orig := openMem(t, tg.PID, addr)
	if _, err := mem.WriteAt([]byte{0xcc}, int64(addr)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), fmt.Sprintf("%d-%d.journal", id.PID, id.Start))
	j := &textguard.Journal{Target: id, Debugger: 1, Entries: []textguard.Entry{{Addr: addr, Original: orig, Instr: []byte{0xcc}}}}
	if err := j.Write(path); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(tg.PID, syscall.SIGSTOP); err != nil { // the queued stops, delivered
		t.Fatal(err)
	}
	waitProcState(t, tg.PID, 'T')
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(dlvxBin, guardianCmd, path)
	cmd.ExtraFiles = []*os.File{r}
	w.Close() // the debugger is already dead
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "restored 1 breakpoint instruction(s)") || !strings.Contains(string(out), "continued it") {
		t.Fatalf("guardian: %v\n%s", err, out)
	}
	checkWholeText(t, tg.PID, bin)
	if last := tg.Finish(t); !strings.HasPrefix(last, "done ") {
		t.Errorf("target's last line %q, want done", last)
	}
}

// waitProcState waits up to 10s for process pid to be in state want.
func waitProcState(t *testing.T, pid int, want byte) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := attachcheck.ReadStatus(fmt.Sprintf("/proc/%d/status", pid))
		if err == nil && st.State == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pid %d: status %+v (%v), want state %c", pid, st, err, want)
		}
		time.Sleep(time.Millisecond)
	}
}
