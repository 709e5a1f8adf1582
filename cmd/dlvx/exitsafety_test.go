package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-delve/delve/service/api"
	"github.com/go-delve/delve/service/rpc2"

	"github.com/dlvx/dlvx/attachcheck"
	"github.com/dlvx/dlvx/internal/fixtures"
)

// syncBuffer collects a process's output and lets a test wait for text.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{}, 1)} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return n, err
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ansi.ReplaceAllString(s.b.String(), "")
}

// waitFor waits until the output matches re and returns the output.
func (s *syncBuffer) waitFor(t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		if out := s.String(); re.MatchString(out) {
			return out
		}
		select {
		case <-s.changed:
		case <-deadline:
			t.Fatalf("output never matched %s:\n%s", re, s.String())
		}
	}
}

// interactive is a dlvx terminal session whose stdin the test holds.
type interactive struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *syncBuffer
}

func startInteractive(t *testing.T, script []string, args ...string) *interactive {
	t.Helper()
	initFile := filepath.Join(t.TempDir(), "init.dlv")
	if err := os.WriteFile(initFile, []byte(strings.Join(script, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(dlvxBin, append([]string{"--init", initFile, "--allow-non-terminal-interactive=true"}, args...)...)
	s := &interactive{cmd: cmd, out: newSyncBuffer()}
	cmd.Stdout, cmd.Stderr = s.out, s.out
	var err error
	if s.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return s
}

// exitStatus waits for dlvx to exit and returns its status and output.
func (s *interactive) exitStatus(t *testing.T) (int, string) {
	t.Helper()
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("dlvx did not exit:\n%s", s.out.String())
	}
	return s.cmd.ProcessState.ExitCode(), s.out.String()
}

// procStatus returns pid's /proc status, nil once the process is gone.
func procStatus(t *testing.T, pid int) *attachcheck.Status {
	t.Helper()
	st, err := attachcheck.ReadStatus(fmt.Sprintf("/proc/%d/status", pid))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// stopped reports whether st is in a job-control or tracing stop.
func stopped(st *attachcheck.Status) bool { return st.State == 'T' || st.State == 't' }

// checkUntraced fails unless pid is alive, untraced and not stopped; out
// is the debugger's output, for the failure message.
func checkUntraced(t *testing.T, pid int, out string) {
	t.Helper()
	switch st := procStatus(t, pid); {
	case st == nil:
		t.Errorf("target %d is gone\n%s", pid, out)
	case st.TracerPid != 0:
		t.Errorf("target still traced (TracerPid %d)\n%s", st.TracerPid, out)
	case stopped(st):
		t.Errorf("target left stopped: State %s\n%s", st.StateText, out)
	}
}

// waitRunning waits until pid is traced and running (not in a tracing
// stop): a continue is in progress.
func waitRunning(t *testing.T, pid int) {
	t.Helper()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(time.Minute)
	for {
		st := procStatus(t, pid)
		if st != nil && st.TracerPid != 0 && st.State != 't' {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("pid %d never ran traced: %+v", pid, st)
		}
	}
}

// checkReleased checks what every exit path must leave: the target
// untraced, its text as in the binary at the breakpoint's address, and
// running on to a normal exit.
func checkReleased(t *testing.T, tg *fixtures.Process, bin string, addr uint64) {
	t.Helper()
	checkUntraced(t, tg.PID, "")
	checkTextRestored(t, tg.PID, bin, addr)
	if last := tg.Finish(t); !strings.HasPrefix(last, "done ") {
		t.Errorf("target's last line %q, want done", last)
	}
}

var (
	bpSet  = regexp.MustCompile(`Breakpoint 1 set at 0x[0-9a-f]+`)
	prompt = regexp.MustCompile(`Breakpoint 1 set at [^\n]*\n(?s:.*)\(dlv\) `)
)

// neverHit sets a breakpoint whose condition is never true, so the target
// runs with the breakpoint instruction in its text.
var neverHit = []string{"break main.work", "condition 1 i < 0"}

func TestTerminalExitPaths(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tests := []struct {
		name    string
		running bool           // signal while a continue is in progress
		sig     syscall.Signal // 0: none
		input   string         // written to stdin, then stdin is closed
		status  int
		says    string
	}{
		{"exit-answered-no", false, 0, "exit\nn\n", 0, "Would you like to kill the process?"},
		{"sigint-at-prompt", false, syscall.SIGINT, "", 0, "detaching, the process keeps running"},
		{"sigint-running", true, syscall.SIGINT, "", 0, "detaching, the process keeps running"},
		{"sigterm-at-prompt", false, syscall.SIGTERM, "", 128 + 15, "detaching from pid"},
		{"sigterm-running", true, syscall.SIGTERM, "", 128 + 15, "detaching from pid"},
		{"sighup-at-prompt", false, syscall.SIGHUP, "", 128 + 1, "detaching from pid"},
		{"sighup-running", true, syscall.SIGHUP, "", 128 + 1, "detaching from pid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := startTarget(t, bin, "-n", "200", "-pause", "10ms")
			script := neverHit
			if tc.running {
				script = append(script[:len(script):len(script)], "continue")
			}
			s := startInteractive(t, script, "attach", strconv.Itoa(tg.PID), bin)
			if tc.running {
				s.out.waitFor(t, bpSet)
				waitRunning(t, tg.PID)
			} else {
				s.out.waitFor(t, prompt)
			}
			if tc.sig != 0 {
				s.cmd.Process.Signal(tc.sig)
			}
			if tc.sig == syscall.SIGINT {
				// Delve halts the target and stays at the prompt.
				s.out.waitFor(t, regexp.MustCompile(`received SIGINT`))
			}
			if tc.sig == 0 || tc.sig == syscall.SIGINT {
				io.WriteString(s.stdin, tc.input)
				s.stdin.Close()
			}
			status, out := s.exitStatus(t)
			if status != tc.status || !strings.Contains(out, tc.says) {
				t.Fatalf("dlvx exited %d, want %d saying %q:\n%s", status, tc.status, tc.says, out)
			}
			checkReleased(t, tg, bin, breakpointAddr(t, out))
		})
	}
}

func TestLaunchSessionEndsChildOnSIGTERM(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	s := startInteractive(t, append(neverHit, "continue"), "exec", bin, "--", "-n", "100000", "-pause", "10ms")
	m := s.out.waitFor(t, regexp.MustCompile(`ready (\d+)`))
	pid, _ := strconv.Atoi(regexp.MustCompile(`ready (\d+)`).FindStringSubmatch(m)[1])
	waitRunning(t, pid)
	s.cmd.Process.Signal(syscall.SIGTERM)
	status, out := s.exitStatus(t)
	if status != 128+15 || !strings.Contains(out, "ending the session and the process it started") {
		t.Fatalf("dlvx exited %d, want 143 ending the child:\n%s", status, out)
	}
	if st := procStatus(t, pid); st != nil && st.State != 'Z' {
		t.Errorf("launched child still alive after SIGTERM: State %s", st.StateText)
	}
}

func TestHaltWhileStoppedThenDetach(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tg := startTarget(t, bin, "-n", "200", "-pause", "10ms")
	addr, s := startHeadlessAttach(t, tg.PID)
	c := rpc2.NewClient(addr)
	bp, err := c.CreateBreakpoint(&api.Breakpoint{FunctionName: "main.work", Cond: "i < 0"})
	if err != nil {
		t.Fatal(err)
	}
	// A halt of a stopped process queues a SIGTRAP that nothing consumes.
	if _, err := c.Halt(); err != nil {
		t.Fatal(err)
	}
	if err := c.Detach(false); err != nil && !strings.Contains(err.Error(), "shut down") {
		t.Fatalf("Detach: %v", err)
	}
	if status, out := s.exitStatus(t); status != 0 {
		t.Fatalf("headless dlvx exited %d:\n%s", status, out)
	}
	checkReleased(t, tg, bin, bp.Addr)
}

// startHeadlessAttach runs "dlvx attach PID --headless" (one client) and
// returns its address and output.
func startHeadlessAttach(t *testing.T, pid int) (string, *interactive) {
	t.Helper()
	return startHeadlessCmd(t, "attach", strconv.Itoa(pid))
}

// startHeadlessCmd runs dlvx with args and --headless on loopback (one
// client) and returns its address and output.
func startHeadlessCmd(t *testing.T, args ...string) (string, *interactive) {
	t.Helper()
	cmd := exec.Command(dlvxBin, append(args, "--headless", "--listen", "127.0.0.1:0", "--api-version", "2")...)
	s := &interactive{cmd: cmd, out: newSyncBuffer()}
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	listening := regexp.MustCompile(`API server listening at: (127\.0\.0\.1:\d+)`)
	m := listening.FindStringSubmatch(s.out.waitFor(t, listening))
	return m[1], s
}

func TestHeadlessExitPaths(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tests := []struct {
		name   string
		end    func(s *interactive, c *rpc2.RPCClient)
		status int
	}{
		{"client-disconnects", func(_ *interactive, c *rpc2.RPCClient) { c.Disconnect(false) }, 0},
		{"sigterm", func(s *interactive, _ *rpc2.RPCClient) { s.cmd.Process.Signal(syscall.SIGTERM) }, 0},
		{"sigint", func(s *interactive, _ *rpc2.RPCClient) { s.cmd.Process.Signal(syscall.SIGINT) }, 0},
		{"sighup", func(s *interactive, _ *rpc2.RPCClient) { s.cmd.Process.Signal(syscall.SIGHUP) }, 128 + 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := startTarget(t, bin, "-n", "200", "-pause", "10ms")
			addr, s := startHeadlessAttach(t, tg.PID)
			c := rpc2.NewClient(addr)
			bp, err := c.CreateBreakpoint(&api.Breakpoint{FunctionName: "main.work", Cond: "i < 0"})
			if err != nil {
				t.Fatal(err)
			}
			c.Continue() // the state arrives when the server halts the target
			waitRunning(t, tg.PID)
			tc.end(s, c)
			status, out := s.exitStatus(t)
			if status != tc.status {
				t.Fatalf("headless dlvx exited %d, want %d:\n%s", status, tc.status, out)
			}
			checkReleased(t, tg, bin, bp.Addr)
		})
	}
}

func TestHeadlessWaitforStopDetaches(t *testing.T) {
	data, err := os.ReadFile(fixtures.Build(t, "worker", fixtures.NoOpt))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "waitfor-target")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	tg := startTarget(t, bin, "-n", "200", "-pause", "10ms")
	addr, s := startHeadlessCmd(t, "attach", "--waitfor", bin)
	c := rpc2.NewClient(addr)
	bp, err := c.CreateBreakpoint(&api.Breakpoint{FunctionName: "main.work", Cond: "i < 0"})
	if err != nil {
		t.Fatal(err)
	}
	c.Continue()
	waitRunning(t, tg.PID)
	s.cmd.Process.Signal(syscall.SIGTERM)
	if status, out := s.exitStatus(t); status != 0 {
		t.Fatalf("headless dlvx exited %d:\n%s", status, out)
	}
	checkReleased(t, tg, bin, bp.Addr)
}

func TestSignalWhileAttaching(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			tg := startTarget(t, bin, "-n", "30", "-pause", "10ms")
			// The listening line comes before the attach: the signal lands
			// while dlvx attaches (or just before or after).
			_, s := startHeadlessAttach(t, tg.PID)
			s.cmd.Process.Signal(sig)
			status, out := s.exitStatus(t)
			t.Logf("exit %d: %s", status, regexp.MustCompile(`dlvx: received [^\n]*`).FindString(out))
			if status != 0 && status != 128+int(sig) {
				t.Fatalf("dlvx exited %d, want 0 or %d:\n%s", status, 128+int(sig), out)
			}
			checkUntraced(t, tg.PID, out)
			if last := tg.Finish(t); !strings.HasPrefix(last, "done ") {
				t.Errorf("target's last line %q, want done", last)
			}
		})
	}
}

// A DAP server attached to a process and stopped at a breakpoint detaches
// on SIGTERM (Delve) and SIGHUP (dlvx): the process finishes normally,
// which a breakpoint left behind would prevent.
func TestDAPServerSignalsDetach(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			tg := startTarget(t, bin, "-n", "200", "-pause", "10ms")
			srv := startDAP(t)
			c := dialDAP(t, srv.addr)
			c.response(c.request("initialize", map[string]any{"adapterID": "go"}))
			c.response(c.request("attach", map[string]any{"mode": "local", "processId": tg.PID}))
			c.setBreakpointAndStop(t)
			srv.cmd.Process.Signal(sig)
			if code := srv.exitCode(t); code != 0 {
				t.Fatalf("dlvx dap exited %d:\n%s", code, srv.out)
			}
			if st := procStatus(t, tg.PID); st == nil || st.TracerPid != 0 {
				t.Errorf("target gone or still traced: %+v", st)
			}
			if last := tg.Finish(t); !strings.HasPrefix(last, "done ") {
				t.Errorf("target's last line %q, want done", last)
			}
		})
	}
}
