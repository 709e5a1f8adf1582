package main

import (
	"strings"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
	godap "github.com/google/go-dap"
)

// TestDAPExecRestart: VS Code's Restart of an exec session (a restart
// request carrying the launch configuration, without "rebuild") starts the
// binary again and stops at the breakpoint again. Delve v1.27.2 defaults
// a DAP restart to rebuilding, which an exec target cannot be: it killed
// the process, answered "Failed to restart: cannot rebuild a binary" and
// ended the session (patch 0016).
func TestDAPExecRestart(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	launch := map[string]any{"type": "go", "request": "launch", "name": "Launch Binary", "mode": "exec", "program": bin}
	c, _ := launchDAP(t, bin, launch)
	c.setBreakpointAndStop(t)
	c.response(c.request("continue", map[string]any{"threadId": 1}))
	waitStopped(t, c)
	if got := evalTop(c, "i"); got != "1" {
		t.Fatalf("second stop: i = %s, want 1", got)
	}
	c.response(c.request("restart", map[string]any{"arguments": launch}))
	for initialized := false; !initialized; {
		switch m := c.next().(type) {
		case godap.ResponseMessage:
			t.Fatalf("after the restart's response: %s %q", m.GetResponse().Command, m.GetResponse().Message)
		case godap.EventMessage:
			if m.GetEvent().Event == "terminated" {
				t.Fatal("the restart ended the session")
			}
			initialized = m.GetEvent().Event == "initialized"
		}
	}
	c.setBreakpointAndStop(t)
	if got := evalTop(c, "i"); got != "0" {
		t.Errorf("after the restart: i = %s, want 0 (a new run)", got)
	}
	c.response(c.request("disconnect", map[string]any{"terminateDebuggee": true}))
}

// evalTop evaluates expr in the top frame of the stopped goroutine.
func evalTop(c *dapClient, expr string) string {
	c.t.Helper()
	resp, _ := c.response(c.request("evaluate", map[string]any{"expression": expr, "context": "watch"}))
	return resp.(*godap.EvaluateResponse).Body.Result
}

// TestDAPExecRestartRebuildRefused: a restart that asks to rebuild an exec
// target is refused before the process is killed (patch 0016): the
// session goes on, and the process runs on to its next stop.
func TestDAPExecRestartRebuildRefused(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	launch := map[string]any{"type": "go", "request": "launch", "name": "Launch Binary", "mode": "exec", "program": bin}
	c, _ := launchDAP(t, bin, launch)
	c.setBreakpointAndStop(t)
	rebuild := map[string]any{"rebuild": true}
	for k, v := range launch {
		rebuild[k] = v
	}
	seq := c.request("restart", map[string]any{"arguments": rebuild})
	c.response(seq) // Delve acknowledges first, then answers again with the outcome
	for refused := false; !refused; {
		switch m := c.next().(type) {
		case *godap.ErrorResponse:
			if m.RequestSeq != seq || !strings.Contains(m.Body.Error.Format, "cannot rebuild a binary") {
				t.Fatalf("error response %+v, want the restart's refusal to rebuild", m)
			}
			refused = true
		case godap.ResponseMessage:
			t.Fatalf("unexpected response %s", m.GetResponse().Command)
		case godap.EventMessage:
			if e := m.GetEvent().Event; e == "terminated" || e == "exited" || e == "initialized" {
				t.Fatalf("%s event: the refused restart touched the process", e)
			}
		}
	}
	c.response(c.request("continue", map[string]any{"threadId": 1}))
	waitStopped(t, c)
	if got := evalTop(c, "i"); got != "1" {
		t.Errorf("after the refused restart: i = %s, want 1 (the same run, one call on)", got)
	}
	c.response(c.request("disconnect", map[string]any{"terminateDebuggee": true}))
}

// waitStopped reads until a stopped event; the session ending first fails.
func waitStopped(t *testing.T, c *dapClient) {
	t.Helper()
	for {
		if e, ok := c.next().(godap.EventMessage); ok {
			switch e.GetEvent().Event {
			case "stopped":
				return
			case "terminated", "exited":
				t.Fatalf("%s event before the next stop: the process is gone", e.GetEvent().Event)
			}
		}
	}
}
