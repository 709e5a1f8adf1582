package main

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlvx/dlvx/internal/podman"
)

// TestContainerPaused covers a paused (frozen) container: dlvx attach
// refuses it before tracing, with the unpause command, from the host and
// from a sidecar; the printed fix makes the attach work; and an attach
// that skips the preflight gives up after --stop-timeout and leaves the
// process running after the thaw, not stopped.
func TestContainerPaused(t *testing.T) {
	im := containerImage(t)
	s := im.startService(t, podman.Options{})
	s.c.Pause(t)
	pid := strconv.Itoa(s.pid)
	start := time.Now()
	out, code := runCmd(oneShot(dlvxBin, s.pid)...)
	refused(t, "host", out, code, "AT-STATE-FROZEN")
	out, code = im.run(t, im.sidecarArgs(s, []string{"--cap-add=SYS_PTRACE"}, oneShot(dlvxIn, 1)...)...)
	refused(t, "sidecar", out, code, "AT-STATE-FROZEN")
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("refusing a frozen process took %v", d)
	}

	out, code = runCmd(dlvxBin, "attach", "--no-preflight", "--stop-timeout=2s", "--allow-non-terminal-interactive=true", pid)
	if code != 1 || !strings.Contains(out, "waiting for pid "+pid+" to stop") || !strings.Contains(out, "FROZEN") {
		t.Fatalf("attach without preflight: exit status %d, want 1 and what it waited for:\n%s", code, out)
	}
	fixes := im.doctorFixes(t, "AT-STATE-FROZEN", im.sidecarArgs(s, nil, dlvxIn, "doctor", "--pid", "1", "--json")...)
	unpause := fixWith(t, fixes, "unpause")
	if _, err := im.e.Output(unpause[1:]...); err != nil {
		t.Fatalf("the printed fix %q failed: %v", unpause, err)
	}
	s.serving(t) // not left stopped by the abandoned attach
	out, code = im.run(t, im.sidecarArgs(s, []string{"--cap-add=SYS_PTRACE"}, oneShot(dlvxIn, 1)...)...)
	attached(t, "after unpause", out, code)
	s.serving(t)
}

// osPipe returns a pipe whose ends are closed when the test ends.
func osPipe(t *testing.T) (*os.File, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// lines collects a stream's lines and lets a test wait for one.
type lines struct {
	mu   sync.Mutex
	all  []string
	more chan struct{} // receives after each line
}

func readLines(r io.Reader) *lines {
	l := &lines{more: make(chan struct{}, 1)}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			l.mu.Lock()
			l.all = append(l.all, sc.Text())
			l.mu.Unlock()
			select {
			case l.more <- struct{}{}:
			default:
			}
		}
	}()
	return l
}

func (l *lines) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.all, "\n")
}

// wait waits up to timeout for a line containing s.
func (l *lines) wait(t *testing.T, s string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for !strings.Contains(l.text(), s) {
		select {
		case <-l.more:
		case <-deadline:
			t.Fatalf("no %q within %v in:\n%s", s, timeout, l.text())
		}
	}
}

// TestContainerSidecarExitPaths attaches from a sidecar, sets a breakpoint
// in the request handler, and ends the session by end of input, SIGTERM to
// the sidecar, and podman stop of the sidecar: every time the service is
// detached, untraced, without the breakpoint, and serving.
func TestContainerSidecarExitPaths(t *testing.T) {
	im := containerImage(t)
	s := im.startService(t, podman.Options{})
	for _, c := range []struct {
		name string
		end  func(t *testing.T, side *podman.Container, stdin io.Closer)
	}{
		{"eof", func(t *testing.T, _ *podman.Container, stdin io.Closer) { stdin.Close() }},
		{"sigterm", func(t *testing.T, side *podman.Container, _ io.Closer) { side.Signal(t, "TERM") }},
		{"podman-stop", func(t *testing.T, side *podman.Container, _ io.Closer) { side.Stop(t, 20) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Files, not io.Pipes: exec.Cmd.Wait would wait for a copy of
			// standard input to end.
			stdinR, stdinW := osPipe(t)
			outR, outW := osPipe(t)
			side, cmd := im.e.Start(t, podman.Options{Image: im.name, PID: "container:" + s.c.Name, CapAdd: []string{"SYS_PTRACE"},
				Cmd: []string{dlvxIn, "attach", "--allow-non-terminal-interactive=true", "1"}}, stdinR, outW, outW)
			stdinR.Close()
			outW.Close()
			defer stdinW.Close()
			out := readLines(outR)
			if _, err := io.WriteString(stdinW, "break main.handle\n"); err != nil {
				t.Fatal(err)
			}
			out.wait(t, "Breakpoint 1 set", time.Minute)
			start := time.Now()
			c.end(t, side, stdinW)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(time.Minute):
				t.Fatalf("the sidecar did not end:\n%s", out.text())
			}
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("the session took %v to end (killed rather than detached?)", d)
			}
			if !strings.Contains(out.text(), "detach") {
				t.Errorf("the session did not say it detached:\n%s", out.text())
			}
			s.serving(t)
		})
	}
}
