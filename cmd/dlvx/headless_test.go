package main

import (
	"bufio"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-delve/delve/service/api"
	"github.com/go-delve/delve/service/rpc2"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// startHeadless runs "dlvx exec --headless" on loopback and returns the
// address it listens on.
func startHeadless(t *testing.T, bin string, args ...string) (string, *exec.Cmd) {
	t.Helper()
	args = append([]string{"exec", "--headless", "--listen", "127.0.0.1:0", "--accept-multiclient", "--api-version", "2", bin, "--"}, args...)
	cmd := exec.Command(dlvxBin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	listening := regexp.MustCompile(`API server listening at: (127\.0\.0\.1:\d+)`)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			go func() {
				for sc.Scan() { // keep draining the target's output
				}
			}()
			return m[1], cmd
		}
	}
	t.Fatal("headless dlvx exited without listening")
	return "", nil
}

func TestHeadlessRPCAndConnect(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	addr, server := startHeadless(t, bin, "-n", "5")

	client := rpc2.NewClient(addr)
	bp, err := client.CreateBreakpoint(&api.Breakpoint{FunctionName: "main.work", Cond: "i == 2"})
	if err != nil {
		t.Fatalf("CreateBreakpoint: %v", err)
	}
	state := <-client.Continue()
	if state.Err != nil {
		t.Fatalf("Continue: %v", state.Err)
	}
	th := state.CurrentThread
	if th == nil || th.Breakpoint == nil || th.Breakpoint.ID != bp.ID || th.Function.Name() != "main.work" {
		t.Fatalf("stop %+v, want breakpoint %d in main.work", th, bp.ID)
	}
	// Leave the server and its stopped target for the next client.
	if err := client.Disconnect(false); err != nil {
		t.Fatalf("Disconnect: %v", err)
	}

	// dlvx connect sees the same stop. EOF at "kill the headless instance?"
	// leaves the server alone and exits with status 2, as dlv does.
	out, code := startDlvx(t, t.TempDir(), []string{"print i", "stack"}, "connect", addr).waitStatus(t)
	if code != 0 && code != 2 {
		t.Fatalf("connect exited with status %d:\n%s", code, out)
	}
	if !regexp.MustCompile(`(?m)^2$`).MatchString(out) || !strings.Contains(out, "main.work") {
		t.Errorf("connect: want i == 2 and a stack in main.work:\n%s", out)
	}

	// The server survived the terminal's EOF: a new client finds the same stop.
	client = rpc2.NewClient(addr)
	if st, err := client.GetState(); err != nil || st.CurrentThread == nil || st.CurrentThread.Function.Name() != "main.work" {
		t.Fatalf("after connect's EOF: state %+v, %v", st, err)
	}
	if err := client.Detach(true); err != nil && !strings.Contains(err.Error(), "connection") {
		t.Fatalf("Detach: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- server.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("headless server still running after detach with kill")
	}
}
