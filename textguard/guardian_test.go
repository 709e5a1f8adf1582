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
