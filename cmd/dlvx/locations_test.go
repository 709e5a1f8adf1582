package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-delve/delve/service/api"
	"github.com/go-delve/delve/service/rpc2"
	godap "github.com/google/go-dap"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// amd64RSP is the DWARF number of RSP.
const amd64RSP = 7

// skipUnlessAMD64 skips on other hardware, a permanent skip (fixtures.AMD64).
func skipUnlessAMD64(t *testing.T) {
	t.Helper()
	fixtures.Require(t, fixtures.AMD64)
}

// preemptedPC reads the preempted PC, which the signal handler pushed at
// 0(SP) before "calling" runtime.asyncPreempt.
func preemptedPC(t *testing.T, c *rpc2.RPCClient, threadID int) uint64 {
	t.Helper()
	regs, err := c.ListThreadRegisters(threadID, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range regs {
		if r.DwarfNumber != amd64RSP {
			continue
		}
		sp, err := strconv.ParseUint(r.Value, 0, 64)
		if err != nil {
			t.Fatalf("RSP %q: %v", r.Value, err)
		}
		mem, _, err := c.ExamineMemory(sp, 8)
		if err != nil {
			t.Fatal(err)
		}
		return binary.LittleEndian.Uint64(mem)
	}
	t.Fatalf("no RSP among %d registers", len(regs))
	return 0
}

// lineOf returns the line Delve maps pc to.
func lineOf(t *testing.T, c *rpc2.RPCClient, pc uint64) int {
	t.Helper()
	locs, _, err := c.FindLocation(api.EvalScope{GoroutineID: -1}, fmt.Sprintf("*%#x", pc), false, nil)
	if err != nil || len(locs) != 1 {
		t.Fatalf("find *%#x: %v, %v", pc, locs, err)
	}
	return locs[0].Line
}

// continueToBreakpoint continues and fails unless breakpoint id stops it.
func continueToBreakpoint(t *testing.T, c *rpc2.RPCClient, id int) *api.Thread {
	t.Helper()
	state := <-c.Continue()
	if state.Err != nil || state.Exited {
		t.Fatalf("continue: %v (exited %v)", state.Err, state.Exited)
	}
	th := state.CurrentThread
	if th == nil || th.Breakpoint == nil || th.Breakpoint.ID != id {
		t.Fatalf("stopped at %+v, want breakpoint %d", th, id)
	}
	return th
}

// At every stop at preempt:entry, the preempted frame (frame 1) must be at
// the preempted PC and show that PC's line. Before patch 0004 Delve showed
// the line of PC-1 instead, wrong about half the time.
func TestPreemptedFrameLine(t *testing.T) {
	skipUnlessAMD64(t)
	variants := []fixtures.Variant{
		{Name: "go1.26-noopt", Flags: []string{"-gcflags=all=-N -l"}},
		{Name: "go1.25-pie", Flags: []string{"-buildmode=pie"}, Env: []string{"GOTOOLCHAIN=go1.25.0"}},
		{Name: "go1.27-optimized", Env: []string{"GOTOOLCHAIN=go1.27.0"}},
	}
	const stopsPerVariant = 30
	differ := 0 // stops where PC-1 maps to another line than PC
	for _, v := range variants {
		t.Run(v.Name, func(t *testing.T) {
			fixtures.NeedToolchain(t, v)
			bin := fixtures.Build(t, "spin", v)
			addr, _ := startHeadless(t, bin, "-workers", "1")
			c := rpc2.NewClient(addr)
			bp, err := c.CreateBreakpointWithExpr(&api.Breakpoint{}, "preempt:entry", nil, false)
			if err != nil {
				t.Fatalf("break preempt:entry: %v", err)
			}
			inSpin := 0
			for range stopsPerVariant {
				th := continueToBreakpoint(t, c, bp.ID)
				pc := preemptedPC(t, c, th.ID)
				frames, err := c.Stacktrace(th.GoroutineID, 1, 0, 0, nil)
				if err != nil || len(frames) < 2 {
					t.Fatalf("stack of goroutine %d: %v, %v", th.GoroutineID, frames, err)
				}
				f := frames[1]
				if want := lineOf(t, c, pc); f.PC != pc || f.Line != want {
					t.Errorf("preempted frame %s at %#x line %d; preempted PC %#x is line %d", f.Function.Name(), f.PC, f.Line, pc, want)
				}
				if lineOf(t, c, pc-1) != f.Line {
					differ++
				}
				if f.Function != nil && f.Function.Name() == "main.spin" {
					inSpin++
				}
			}
			if inSpin == 0 {
				t.Errorf("no stop preempted main.spin in %d stops", stopsPerVariant)
			}
		})
	}
	t.Logf("%d of %d stops would show the wrong line without patch 0004", differ, stopsPerVariant*len(variants))
}

// A goroutine filter keeps stops on that goroutine only, over JSON-RPC.
func TestPreemptGoroutineFilterRPC(t *testing.T) {
	skipUnlessAMD64(t)
	addr, _ := startHeadless(t, fixtures.Build(t, "spin", fixtures.PIE), "-workers", "2")
	c := rpc2.NewClient(addr)
	first, err := c.CreateBreakpointWithExpr(&api.Breakpoint{}, "preempt:entry", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	g := continueToBreakpoint(t, c, first.ID).GoroutineID
	if _, err := c.ClearBreakpoint(first.ID); err != nil {
		t.Fatal(err)
	}
	loc := fmt.Sprintf("preempt:entry@g%d", g)
	locs, _, err := c.FindLocation(api.EvalScope{GoroutineID: -1}, loc, false, nil)
	if err != nil || len(locs) != 1 || locs[0].Function == nil || locs[0].Function.Name() != "runtime.asyncPreempt" {
		t.Fatalf("FindLocation(%s) = %+v, %v", loc, locs, err)
	}
	bp, err := c.CreateBreakpointWithExpr(&api.Breakpoint{}, loc, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("runtime.curg.goid == %d", g); bp.Cond != want {
		t.Errorf("breakpoint condition %q, want %q", bp.Cond, want)
	}
	for range 5 {
		if th := continueToBreakpoint(t, c, bp.ID); th.GoroutineID != g {
			t.Fatalf("stop in goroutine %d, filter is %s", th.GoroutineID, loc)
		}
	}
	se := regexp.MustCompile(`no function "main.spni"; closest: main.spin`)
	if _, _, err := c.FindLocation(api.EvalScope{GoroutineID: -1}, "main.spni+4", false, nil); err == nil || !se.MatchString(err.Error()) {
		t.Errorf("main.spni+4 over JSON-RPC: got %v, want the closest name", err)
	}
}

// The terminal sets, lists and clears dlvx locations, explains bad ones,
// and re-resolves them after restart.
func TestLocationsTerminal(t *testing.T) {
	skipUnlessAMD64(t)
	bin := fixtures.Build(t, "spin", fixtures.PIE)
	out := startDlvx(t, t.TempDir(), []string{
		"break main.spni+4",
		"break main.spin+0x9999",
		"break preempt:nope",
		"break hook preempt:entry",
		"break main.spin+0",
		"clear 2",
		"continue",
		"stack 1",
		"restart",
		"continue",
		"breakpoints",
		"exit",
	}, "exec", bin, "--", "-workers", "1").wait(t)
	for _, want := range []string{
		`no function "main.spni"; closest: main.spin`,
		`main.spin+0x9999 is past the end of main.spin`,
		`unknown preemption hook "nope" (known: entry, call, park, resume, return)`,
		`Breakpoint hook set at 0x`,
		`Breakpoint 2 set at 0x`,
		`Process restarted with PID`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	hits := regexp.MustCompile(`\[hook\] runtime\.asyncPreempt\(\)`).FindAllString(out, -1)
	if len(hits) != 2 {
		t.Errorf("want a stop at preempt:entry before and after restart, got %d:\n%s", len(hits), out)
	}
	// The stop itself shows the preempted frame (frame 1 below asyncPreempt).
	if !regexp.MustCompile(`\tStack:\n\t\t0  0x[0-9a-f]+ in runtime\.asyncPreempt\n.*\n\t\t1  0x[0-9a-f]+ in main\.`).MatchString(out) {
		t.Errorf("the stop at preempt:entry does not show the preempted frame:\n%s", out)
	}
}

// DAP function breakpoints take dlvx locations, goroutine filter included.
func TestPreemptFunctionBreakpointDAP(t *testing.T) {
	skipUnlessAMD64(t)
	bin := fixtures.Build(t, "spin", fixtures.NoOpt)
	srv := startDAP(t)
	c := dialDAP(t, srv.addr)
	c.response(c.request("initialize", map[string]any{"adapterID": "go"}))
	c.response(c.request("launch", map[string]any{"mode": "exec", "program": bin, "args": []string{"-workers", "2"}}))
	resp, _ := c.response(c.request("setFunctionBreakpoints", map[string]any{
		"breakpoints": []map[string]any{{"name": "preempt:entry"}, {"name": "main.spin+0x3"}},
	}))
	bps := resp.(*godap.SetFunctionBreakpointsResponse).Body.Breakpoints
	if len(bps) != 2 || !bps[0].Verified || bps[1].Verified || !strings.Contains(bps[1].Message, "inside the") {
		t.Fatalf("setFunctionBreakpoints = %+v, want preempt:entry verified and main.spin+0x3 refused", bps)
	}
	c.response(c.request("configurationDone", nil))
	stopped := c.event("stopped").(*godap.StoppedEvent)
	st, _ := c.response(c.request("stackTrace", map[string]any{"threadId": stopped.Body.ThreadId, "levels": 2}))
	frames := st.(*godap.StackTraceResponse).Body.StackFrames
	if len(frames) < 2 || frames[0].Name != "runtime.asyncPreempt" {
		t.Fatalf("stopped (%s) with frames %+v, want runtime.asyncPreempt on top", stopped.Body.Reason, frames)
	}
	t.Logf("preempted: %s at %s:%d", frames[1].Name, frames[1].Source.Path, frames[1].Line)

	// Filtered to the goroutine just stopped, every stop is in it.
	g := stopped.Body.ThreadId
	resp, _ = c.response(c.request("setFunctionBreakpoints", map[string]any{
		"breakpoints": []map[string]any{{"name": fmt.Sprintf("preempt:entry@g%d", g)}},
	}))
	if bps := resp.(*godap.SetFunctionBreakpointsResponse).Body.Breakpoints; len(bps) != 1 || !bps[0].Verified {
		t.Fatalf("setFunctionBreakpoints preempt:entry@g%d = %+v", g, bps)
	}
	for range 6 { // unfiltered, 6 stops in one of 2 spinning goroutines: 1 in 32
		c.response(c.request("continue", map[string]any{"threadId": g}))
		if s := c.event("stopped").(*godap.StoppedEvent); s.Body.ThreadId != g {
			t.Fatalf("stopped in goroutine %d (%s), filter is @g%d", s.Body.ThreadId, s.Body.Reason, g)
		}
	}
}

// dlvx help locations documents both forms, the filter and every hook.
func TestHelpLocations(t *testing.T) {
	out, err := exec.Command(dlvxBin, "help", "locations").CombinedOutput()
	if err != nil {
		t.Fatalf("dlvx help locations: %v\n%s", err, out)
	}
	for _, want := range []string{"SYMBOL+OFFSET", "preempt:HOOK", "@gN", "entry", "call", "park", "resume", "return"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("dlvx help locations does not mention %q:\n%s", want, out)
		}
	}
}

// trace, condition and on work on dlvx locations like on Delve's.
func TestTraceConditionOnTerminal(t *testing.T) {
	skipUnlessAMD64(t)
	bin := fixtures.Build(t, "spin", fixtures.NoOpt)
	out := startDlvx(t, t.TempDir(), []string{
		"break entry main.spin+0",
		"condition entry n > 1000",
		"on entry print n * 2",
		"continue",
		"clear entry",
		"trace tp preempt:park",
		"continue",
		"exit",
	}, "exec", bin, "--", "-workers", "1", "-for", "1s").wait(t)
	if !regexp.MustCompile(`\[entry\] main\.spin\(\) .*\n\tn \* 2: 2147483648\n`).MatchString(out) {
		t.Errorf("breakpoint at main.spin+0 with condition and on-command: no stop printing n * 2:\n%s", out)
	}
	traced := regexp.MustCompile(`> goroutine\(\d+\): \[tp\] runtime\.asyncPreempt2\(\)`).FindAllString(out, -1)
	if len(traced) == 0 || !strings.Contains(out, "has exited with status 0") {
		t.Errorf("trace preempt:park: %d trace lines, want some and a normal exit:\n%s", len(traced), out)
	}
}

// A target started with GODEBUG=asyncpreemptoff=1 will turn preemption off
// when its runtime starts: setting a hook says the hook will not fire.
func TestPreemptHookWarnsAboutGODEBUG(t *testing.T) {
	skipUnlessAMD64(t)
	bin := fixtures.Build(t, "spin", fixtures.NoOpt)
	initFile := filepath.Join(t.TempDir(), "init.dlv")
	if err := os.WriteFile(initFile, []byte("break preempt:entry\nexit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, dlvxBin, "--init", initFile, "--allow-non-terminal-interactive=true", "exec", bin)
	cmd.Env = append(os.Environ(), "GODEBUG=asyncpreemptoff=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("dlvx: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "AP-CORRECT-GODEBUG") || !strings.Contains(string(out), "Breakpoint 1 set") {
		t.Errorf("want the breakpoint set and an AP-CORRECT-GODEBUG notice:\n%s", out)
	}
}

// Over DAP the resolver's notices reach the client, not the server's
// standard error: the GODEBUG warning as an important line with its
// detail in the console, the ABI0 choice (info) in the console only.
func TestDAPPreemptNotices(t *testing.T) {
	skipUnlessAMD64(t)
	bin := fixtures.Build(t, "spin", fixtures.NoOpt)
	srv := startDAP(t)
	c := dialDAP(t, srv.addr)
	c.response(c.request("initialize", map[string]any{"adapterID": "go"}))
	c.response(c.request("launch", map[string]any{"mode": "exec", "program": bin, "env": map[string]string{"GODEBUG": "asyncpreemptoff=1"}}))
	resp, events := c.response(c.request("setFunctionBreakpoints", map[string]any{
		"breakpoints": []map[string]any{{"name": "preempt:entry"}, {"name": "runtime.asyncPreempt2+0"}},
	}))
	if bps := resp.(*godap.SetFunctionBreakpointsResponse).Body.Breakpoints; len(bps) != 2 || !bps[0].Verified || !bps[1].Verified {
		t.Fatalf("setFunctionBreakpoints = %+v, want both verified", bps)
	}
	outs := outputs(events)
	checkImportant(t, outs, "AP-CORRECT-GODEBUG")
	abi0 := false
	for _, o := range outs {
		if strings.Contains(o.Body.Output, "BP-FUNCNAME-ABI0") {
			abi0 = abi0 || o.Body.Category == "console"
			if o.Body.Category == "important" {
				t.Errorf("an info notice raised an important line: %q", o.Body.Output)
			}
		}
	}
	if !abi0 {
		t.Errorf("no console output explains BP-FUNCNAME-ABI0: %+v", outs)
	}
	c.response(c.request("disconnect", map[string]any{"terminateDebuggee": true}))
	if strings.Contains(srv.out.String(), "AP-CORRECT-GODEBUG") {
		t.Errorf("the notice went to the server's standard error too:\n%s", srv.out)
	}
}
