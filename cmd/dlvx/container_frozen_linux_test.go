package main

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	godap "github.com/google/go-dap"

	"github.com/dlvx/dlvx/internal/podman"
	"github.com/dlvx/dlvx/service/dap"
)

// promptly bounds how long refusing a frozen process may take on these
// loaded 2-core machines; the attach it replaces waits forever.
const promptly = 30 * time.Second

// TestContainerDAPAttachPaused is a VS Code attach (dlvx dap, mode local,
// processId) to a paused container's process: the layer answers it with
// the unpause command, Delve never traces the process, and after the
// printed unpause the process serves and the same session's second attach
// works.
func TestContainerDAPAttachPaused(t *testing.T) {
	im := containerImage(t)
	s := im.startService(t, podman.Options{})
	s.c.Pause(t)
	srv := startDAP(t)
	c := dialDAP(t, srv.addr)
	c.response(c.request("initialize", map[string]any{"adapterID": "go"}))
	attach := map[string]any{"mode": "local", "processId": s.pid}
	start := time.Now()
	er := c.failure(c.request("attach", attach))
	t.Logf("refused in %v: %s", time.Since(start), er.Body.Error.Format)
	if d := time.Since(start); d > promptly {
		t.Errorf("refusing a frozen process took %v", d)
	}
	e := er.Body.Error
	if e.Id != int(dap.ErrIDAttachRefused) || !e.ShowUser || !strings.Contains(e.Format, "AT-STATE-FROZEN") {
		t.Fatalf("attach answer %+v, want error %d shown to the user naming AT-STATE-FROZEN", e, dap.ErrIDAttachRefused)
	}
	if st := procStatus(t, s.pid); st == nil || st.TracerPid != 0 {
		t.Fatalf("the refused attach traced the process: %+v", st)
	}
	unpause := printedFix(t, e.Format, "podman", "unpause")
	if _, err := im.e.Output(unpause[1:]...); err != nil {
		t.Fatalf("the printed fix %q failed: %v", unpause, err)
	}
	s.serving(t)
	c.response(c.request("attach", attach))
	c.response(c.request("configurationDone", nil))
	c.response(c.request("disconnect", map[string]any{}))
	if code := srv.exitCode(t); code != 0 {
		t.Fatalf("dlvx dap exited %d:\n%s", code, srv.out)
	}
	s.serving(t)
}

// TestContainerWaitForFrozen is dlvx attach --waitfor finding a paused
// container's process (from a sidecar, which sees only that container's
// processes): refused with the unpause command, or, without the preflight,
// given up after --stop-timeout; the process serves after the unpause, and
// --waitfor then attaches.
func TestContainerWaitForFrozen(t *testing.T) {
	im := containerImage(t)
	s := im.startService(t, podman.Options{})
	s.c.Pause(t)
	waitFor := []string{dlvxIn, "attach", "--waitfor", "/app/service", "--init", "/tmp/attach.dlv", "--allow-non-terminal-interactive=true"}
	start := time.Now()
	out, code := im.runBounded(t, promptly, s, waitFor...)
	t.Logf("refused in %v", time.Since(start))
	refused(t, "--waitfor", out, code, "AT-STATE-FROZEN")
	if !strings.Contains(out, "unpause") || strings.Contains(out, "pid 0") {
		t.Errorf("--waitfor refusal does not name the process and the unpause:\n%s", out)
	}

	start = time.Now()
	out, code = im.runBounded(t, promptly, s, append(waitFor, "--no-preflight", "--stop-timeout=2s")...)
	t.Logf("gave up in %v", time.Since(start))
	if code != 1 || !strings.Contains(out, "waiting for pid 1 to stop") || !strings.Contains(out, "FROZEN") {
		t.Fatalf("--waitfor without preflight: exit status %d, want 1 and what it waited for:\n%s", code, out)
	}
	s.c.Unpause(t)
	s.serving(t) // not left stopped by the abandoned attach
	out, code = im.runBounded(t, promptly, s, waitFor...)
	attached(t, "--waitfor after unpause", out, code)
	s.serving(t)
}

// failure reads until the response to request seq, which must fail.
func (c *dapClient) failure(seq int) *godap.ErrorResponse {
	c.t.Helper()
	for {
		msg := c.next()
		r, ok := msg.(godap.ResponseMessage)
		if !ok {
			continue
		}
		er, isErr := msg.(*godap.ErrorResponse)
		if r.GetResponse().RequestSeq != seq || !isErr || er.Body.Error == nil {
			c.t.Fatalf("want an error response to %d with a message, got %#v", seq, msg)
		}
		return er
	}
}

// printedFix returns the fix command in an error message ("...; fix: WHAT:
// COMMAND") that starts with the words.
func printedFix(t *testing.T, msg string, words ...string) []string {
	t.Helper()
	_, fix, ok := strings.Cut(msg, "; fix: ")
	prefix := strings.Join(words, " ") + " "
	i := strings.Index(fix, prefix)
	if !ok || i < 0 {
		t.Fatalf("no fix %q... in %q", prefix, msg)
	}
	f := strings.Fields(fix[i:])
	if len(f) <= len(words) {
		t.Fatalf("fix %q names no argument", fix[i:])
	}
	return f[:len(words)+1]
}

// runBounded runs argv in a sidecar of s (with SYS_PTRACE), as
// im.run does, but removes the sidecar and fails t when it has not ended
// within timeout: an attach that hangs fails the test instead of blocking.
func (im *ctrImage) runBounded(t *testing.T, timeout time.Duration, s *svc, argv ...string) (string, int) {
	t.Helper()
	name := fmt.Sprintf("%s-side-%d", s.c.Name, time.Now().UnixNano()%1e6)
	cmd := im.e.Command(im.sidecarArgs(s, []string{"--name=" + name, "--cap-add=SYS_PTRACE"}, argv...)...)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("podman run: %v", err)
		}
		return out.String(), cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		im.e.Output("rm", "-f", "-t", "0", name)
		<-done
		t.Fatalf("%q did not end within %v:\n%s", argv, timeout, out.String())
		return "", -1
	}
}
