package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	godap "github.com/google/go-dap"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// trimpathNoOpt is -trimpath without optimizations: every marked statement
// of a fixture binds once the paths are mapped.
var trimpathNoOpt = fixtures.Variant{Name: "trimpath-noopt", Flags: []string{"-trimpath", "-gcflags=all=-N -l"}}

// launchDAP starts dlvx dap, initializes and launches bin with extra
// launch arguments; it returns the client and the output events sent
// before the launch response.
func launchDAP(t *testing.T, bin string, extra map[string]any) (*dapClient, []*godap.OutputEvent) {
	t.Helper()
	c := dialDAP(t, startDAP(t).addr)
	c.response(c.request("initialize", map[string]any{"adapterID": "go", "linesStartAt1": true}))
	args := map[string]any{"mode": "exec", "program": bin}
	for k, v := range extra {
		args[k] = v
	}
	_, events := c.response(c.request("launch", args))
	return c, outputs(events)
}

func outputs(events []godap.EventMessage) []*godap.OutputEvent {
	var out []*godap.OutputEvent
	for _, e := range events {
		if o, ok := e.(*godap.OutputEvent); ok {
			out = append(out, o)
		}
	}
	return out
}

// checkImportant fails unless an important output line names each ID and
// the console has the doctor's detail.
func checkImportant(t *testing.T, outs []*godap.OutputEvent, ids ...string) {
	t.Helper()
	var important, console []string
	for _, o := range outs {
		switch o.Body.Category {
		case "important":
			if strings.Count(strings.TrimSuffix(o.Body.Output, "\n"), "\n") != 0 {
				t.Errorf("important output is not one line: %q", o.Body.Output)
			}
			important = append(important, o.Body.Output)
		case "console":
			console = append(console, o.Body.Output)
		}
	}
	for _, id := range ids {
		if !strings.Contains(strings.Join(important, ""), id) {
			t.Errorf("no important output names %s: %q", id, important)
		}
		if !strings.Contains(strings.Join(console, ""), id) {
			t.Errorf("the console detail does not explain %s: %q", id, console)
		}
	}
}

// bpWant is what one breakpoint of a response must say.
type bpWant struct {
	Verified bool
	Reason   string // finding ID leading the message when !Verified; "" for none
	Delve    string // a phrase of Delve's own message, kept after the verdict
}

func checkBreakpoints(t *testing.T, what string, bps []godap.Breakpoint, want []bpWant) {
	t.Helper()
	if len(bps) != len(want) {
		t.Fatalf("%s: %d breakpoints, want %d: %+v", what, len(bps), len(want), bps)
	}
	for i, w := range want {
		bp := bps[i]
		if bp.Verified != w.Verified {
			t.Errorf("%s #%d: verified=%v (%q), want %v", what, i, bp.Verified, bp.Message, w.Verified)
			continue
		}
		if w.Verified || w.Reason == "" {
			continue
		}
		t.Logf("%s #%d: %s", what, i, bp.Message)
		if !strings.HasPrefix(bp.Message, "dlvx: "+w.Reason+": ") {
			t.Errorf("%s #%d: message does not start with the %s verdict:\n%s", what, i, w.Reason, bp.Message)
		}
		// Delve's text is the last line, after the verdict.
		lines := strings.Split(bp.Message, "\n")
		if last := lines[len(lines)-1]; len(lines) < 2 || !strings.Contains(last, w.Delve) {
			t.Errorf("%s #%d: message does not end with Delve's %q:\n%s", what, i, w.Delve, bp.Message)
		}
	}
}

func setBreakpoints(c *dapClient, path string, lines ...int) []godap.Breakpoint {
	var bps []map[string]any
	for _, l := range lines {
		bps = append(bps, map[string]any{"line": l})
	}
	resp, _ := c.response(c.request("setBreakpoints", map[string]any{"source": map[string]any{"path": path}, "breakpoints": bps}))
	return resp.(*godap.SetBreakpointsResponse).Body.Breakpoints
}

func setFunctionBreakpoints(c *dapClient, names ...string) []godap.Breakpoint {
	var bps []map[string]any
	for _, n := range names {
		bps = append(bps, map[string]any{"name": n})
	}
	resp, _ := c.response(c.request("setFunctionBreakpoints", map[string]any{"breakpoints": bps}))
	return resp.(*godap.SetFunctionBreakpointsResponse).Body.Breakpoints
}

// Every unverified breakpoint of an optimized build says why, before
// Delve's text: a line without a statement (with the nearest lines), a
// line of a function the linker removed, a file that is not compiled in,
// a removed function and a misspelt one. The launch warns about the
// optimizations.
func TestDAPBreakpointVerdicts(t *testing.T) {
	bin := fixtures.Build(t, "breakcases", fixtures.Default)
	line := func(file, label string) int { return fixtures.Line(t, "breakcases", file, label) }
	// Breakpoints where asked: a line without a statement is explained,
	// not moved to the next one.
	c, outs := launchDAP(t, bin, map[string]any{"dlvxMoveBreakpoints": false})
	checkImportant(t, outs, "BP-OPT")

	main := filepath.Join(fixtures.Dir("breakcases"), "main.go")
	bps := setBreakpoints(c, main, line("main.go", "print"), line("main.go", "comment-line"), line("main.go", "unused-body"))
	checkBreakpoints(t, "main.go", bps, []bpWant{
		{Verified: true},
		{Reason: "BP-NOSTMT", Delve: "could not find statement"},
		{Reason: "BP-FUNCNAME-REMOVED", Delve: "could not find statement"},
	})
	if !regexp.MustCompile(`nearest lines with statements in main \(lines \d+-\d+\): \d+`).MatchString(bps[1].Message) {
		t.Errorf("no-statement verdict lacks the nearest lines:\n%s", bps[1].Message)
	}
	bps = setBreakpoints(c, filepath.Join(fixtures.Dir("breakcases"), "tagged.go"), line("tagged.go", "tagged-body"))
	checkBreakpoints(t, "tagged.go", bps, []bpWant{{Reason: "BP-NOTINBIN", Delve: "could not find file"}})

	bps = setFunctionBreakpoints(c, "main.main", "main.unused", "main.Main", "main.nosuch+4")
	checkBreakpoints(t, "functions", bps, []bpWant{
		{Verified: true},
		{Reason: "BP-FUNCNAME-REMOVED", Delve: "main.unused"},
		{Reason: "BP-FUNCNAME", Delve: "main.Main"},
		{}, // checked below
	})
	// dlvx's own locations are explained by the resolver, through Delve,
	// as dlvx.
	if msg := bps[3].Message; !strings.HasPrefix(msg, `dlvx: no function "main.nosuch"`) {
		t.Errorf("main.nosuch+4: got %q, want only the resolver's message, led by dlvx", msg)
	}
	if !strings.Contains(bps[2].Message, "main.main") {
		t.Errorf("misspelt function's verdict does not suggest main.main:\n%s", bps[2].Message)
	}
	c.response(c.request("disconnect", map[string]any{"terminateDebuggee": true}))
}

// substituteRule matches the launch.json fix of a BP-PATH verdict.
var substituteRule = regexp.MustCompile(`"substitutePath": (\[.*\])`)

// A -trimpath build: the editor's absolute path is unverified and the
// verdict gives the substitutePath rule; in a new session with that rule
// the breakpoint binds and is hit, and a line without a statement now
// moves to the next statement (the layer applies the session's rules, as
// Delve).
func TestDAPTrimpathSubstitutePath(t *testing.T) {
	bin := fixtures.Build(t, "breakcases", trimpathNoOpt)
	main := filepath.Join(fixtures.Dir("breakcases"), "main.go")
	loop, comment := fixtures.Line(t, "breakcases", "main.go", "loop-call"), fixtures.Line(t, "breakcases", "main.go", "comment-line")

	c, outs := launchDAP(t, bin, nil)
	checkImportant(t, outs, "BP-TRIMPATH")
	bps := setBreakpoints(c, main, loop)
	checkBreakpoints(t, "without rule", bps, []bpWant{{Reason: "BP-PATH", Delve: "could not find file"}})
	m := substituteRule.FindStringSubmatch(bps[0].Message)
	if m == nil {
		t.Fatalf("the verdict has no substitutePath to paste:\n%s", bps[0].Message)
	}
	var rules []map[string]string
	if err := json.Unmarshal([]byte(m[1]), &rules); err != nil || len(rules) != 1 {
		t.Fatalf("substitutePath %s does not parse as one rule: %v", m[1], err)
	}
	c.response(c.request("disconnect", map[string]any{"terminateDebuggee": true}))

	c, _ = launchDAP(t, bin, map[string]any{"substitutePath": rules})
	bps = setBreakpoints(c, main, loop, comment)
	checkBreakpoints(t, "with "+m[1], bps, []bpWant{{Verified: true}, {Verified: true}})
	if bps[1].Line <= comment || !strings.HasPrefix(bps[1].Message, "dlvx: moved from line") {
		t.Errorf("the comment line's breakpoint: %+v, want it moved below with the reason", bps[1])
	}
	c.response(c.request("configurationDone", nil))
	stopped := c.event("stopped").(*godap.StoppedEvent)
	st, _ := c.response(c.request("stackTrace", map[string]any{"threadId": stopped.Body.ThreadId, "levels": 1}))
	frames := st.(*godap.StackTraceResponse).Body.StackFrames
	if stopped.Body.Reason != "breakpoint" || len(frames) == 0 || frames[0].Line != loop || frames[0].Source == nil || frames[0].Source.Path != main {
		t.Fatalf("stopped %q at %+v, want the breakpoint at %s:%d", stopped.Body.Reason, frames, main, loop)
	}
	c.response(c.request("disconnect", map[string]any{"terminateDebuggee": true}))
}

// A stripped binary: the launch says so, and a file:line breakpoint's
// verdict is BP-NODWARF.
func TestDAPStripped(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.Stripped)
	c, outs := launchDAP(t, bin, nil)
	checkImportant(t, outs, "BP-NODWARF")
	bps := setBreakpoints(c, filepath.Join(fixtures.Dir("worker"), "main.go"), fixtures.Line(t, "worker", "main.go", "work-body"))
	checkBreakpoints(t, "stripped", bps, []bpWant{{Reason: "BP-NODWARF", Delve: "stripped"}})
	c.response(c.request("disconnect", map[string]any{"terminateDebuggee": true}))
}

// A remote attach to a headless server names no executable: the doctor
// examines the one the server debugs, and the explainer answers for it.
func TestDAPHeadlessRemoteAttach(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.Default)
	srv := startServer(t, dlvxBin, "exec", bin, "--headless")
	c := dialDAP(t, srv.addr)
	c.response(c.request("initialize", map[string]any{"adapterID": "go"}))
	_, events := c.response(c.request("attach", map[string]any{"mode": "remote"}))
	checkImportant(t, outputs(events), "BP-OPT")
	// The optimized build inlined work into its only caller.
	bps := setFunctionBreakpoints(c, "main.work")
	checkBreakpoints(t, "remote", bps, []bpWant{{Reason: "BP-FUNCNAME-REMOVED", Delve: "main.work"}})
	c.response(c.request("disconnect", map[string]any{"terminateDebuggee": true}))
}

// A launch that builds (mode debug) is examined at Delve's process event,
// as a binary: the process Delve started is traced by dlvx itself, which
// the attach preflight must not report as another tracer. (-race: a
// finding of the build's that the launch lint does not say first.)
func TestDAPDebugModeExaminesTheBuild(t *testing.T) {
	// Delve sends its process event, which the layer examines before
	// forwarding it, before the launch response.
	c, outs := launchDAP(t, fixtures.Dir("worker"), map[string]any{
		"mode": "debug", "dlvCwd": fixtures.Dir("worker"), "buildFlags": "-race", "output": filepath.Join(t.TempDir(), "worker"),
	})
	checkImportant(t, outs, "BP-RACE")
	for _, o := range outs {
		if strings.Contains(o.Body.Output, "AT-") {
			t.Errorf("the process Delve started got an attach finding: %q", o.Body.Output)
		}
	}
	c.response(c.request("disconnect", map[string]any{"terminateDebuggee": true}))
}

// An attach to a process that is gone: the preflight says so before
// Delve's attach fails.
func TestDAPAttachPreflightGone(t *testing.T) {
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	c := dialDAP(t, startDAP(t).addr)
	c.response(c.request("initialize", map[string]any{"adapterID": "go"}))
	seq := c.request("attach", map[string]any{"mode": "local", "processId": gone.ProcessState.Pid()})
	var outs []*godap.OutputEvent
	for {
		msg := c.next()
		if o, ok := msg.(*godap.OutputEvent); ok {
			outs = append(outs, o)
		}
		if r, ok := msg.(godap.ResponseMessage); ok && r.GetResponse().RequestSeq == seq {
			if r.GetResponse().Success {
				t.Fatalf("attach to exited process %d succeeded", gone.ProcessState.Pid())
			}
			break
		}
	}
	checkImportant(t, outs, "AT-STATE-GONE")
}
