package textguard

import (
	"os/exec"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// TestExitsWithin: a live process does not end within a short wait; one
// being killed ends within the guardian's wait, zombie or reaped.
func TestExitsWithin(t *testing.T) {
	cmd := exec.Command(fixtures.NeedTool(t, "sleep"), "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	pidfd, err := unix.PidfdOpen(cmd.Process.Pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(pidfd)
	if exitsWithin(pidfd, 20*time.Millisecond) {
		t.Fatal("a sleeping process ended within 20ms")
	}
	cmd.Process.Kill()
	if !exitsWithin(pidfd, 10*time.Second) {
		t.Error("a killed process did not end within 10s")
	}
}

// TestContinueDebuggerStop: a process left in a group stop is continued
// through its pidfd; a running one gets no signal.
func TestContinueDebuggerStop(t *testing.T) {
	cmd := exec.Command(fixtures.NeedTool(t, "sleep"), "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	id, err := ReadIdentity(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	pidfd, err := unix.PidfdOpen(id.PID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(pidfd)
	waitState(t, id, 'S')
	if sent, err := continueDebuggerStop(id, pidfd, 50*time.Millisecond); sent || err != nil {
		t.Fatalf("a sleeping process: continued %v, error %v; want no signal", sent, err)
	}
	if err := unix.Kill(id.PID, unix.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waitState(t, id, 'T')
	if sent, err := continueDebuggerStop(id, pidfd, time.Second); !sent || err != nil {
		t.Fatalf("a stopped process: continued %v, error %v; want SIGCONT", sent, err)
	}
	waitState(t, id, 'S')
}

// waitState waits up to 10s for the process to be in state want.
func waitState(t *testing.T, id Identity, want byte) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		state, ok := processState(id)
		if ok && state == want {
			return
		}
		if !ok || time.Now().After(deadline) {
			t.Fatalf("%v: state %c (found %v), want %c", id, state, ok, want)
		}
		time.Sleep(time.Millisecond)
	}
}
