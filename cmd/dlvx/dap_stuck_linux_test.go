package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/dlvx/dlvx/service/dap"
)

// A DAP attach to a process that cannot stop, without a frozen cgroup (its
// main thread waits in the kernel for a vfork child, where no signal stops
// it), is given up after dap --stop-timeout: the error says what it waited
// for, dlvx dap ends, and the process is left untraced; once the wait ends
// it is not stopped (the queued stop was cancelled) and finishes normally.
func TestDAPAttachStuckBounded(t *testing.T) {
	tg := startTarget(t, fixtures.Build(t, "vforkhold", fixtures.NoOpt))
	child := vforkChild(t, tg.PID)
	srv := startServer(t, dlvxBin, "dap", "--"+stopTimeoutFlag+"=2s")
	c := dialDAP(t, srv.addr)
	c.response(c.request("initialize", map[string]any{"adapterID": "go"}))
	start := time.Now()
	er := c.failure(c.request("attach", map[string]any{"mode": "local", "processId": tg.PID}))
	t.Logf("gave up in %v: %s", time.Since(start), er.Body.Error.Format)
	e := er.Body.Error
	if e.Id != int(dap.ErrIDAttachTimeout) || !e.ShowUser || !strings.Contains(e.Format, "waiting for pid "+strconv.Itoa(tg.PID)+" to stop") {
		t.Fatalf("attach answer %+v, want error %d shown to the user saying what it waited for", e, dap.ErrIDAttachTimeout)
	}
	if code := srv.exitCode(t); code != 1 {
		t.Errorf("dlvx dap exited %d after giving up, want 1:\n%s", code, srv.out)
	}
	if st := procStatus(t, tg.PID); st == nil || st.TracerPid != 0 {
		t.Fatalf("the process is gone or still traced after dlvx dap ended: %+v", st)
	}
	if err := syscall.Kill(child, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if last := tg.Finish(t); last != "done" {
		t.Errorf("target's last line %q, want done", last)
	}
}

// vforkChild waits until vforkhold's main thread waits for its vfork child
// and returns the child's PID; the child is killed when the test ends (it
// would outlive its parent).
func vforkChild(t *testing.T, pid int) int {
	t.Helper()
	task := "/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(pid)
	deadline := time.Now().Add(30 * time.Second)
	for tick := time.NewTicker(20 * time.Millisecond); ; <-tick.C {
		st := procStatus(t, pid)
		kids, err := os.ReadFile(task + "/children")
		if f := strings.Fields(string(kids)); err == nil && st != nil && st.State == 'D' && len(f) == 1 {
			tick.Stop()
			child, err := strconv.Atoi(f[0])
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { syscall.Kill(child, syscall.SIGKILL) })
			return child
		}
		if time.Now().After(deadline) {
			t.Fatalf("pid %d is not waiting for a vfork child (status %+v, children %q)", pid, st, kids)
		}
	}
}
