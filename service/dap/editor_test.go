package dap

import (
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	godap "github.com/google/go-dap"

	"github.com/dlvx/dlvx/internal/fixtures"
	delvedap "github.com/go-delve/delve/service/dap"
	"github.com/go-delve/delve/service/debugger"
)

// startEditor is startDelve with Delve's session bound to the layer, as
// cmd/dlvx binds it (patch 0012's hook).
func startEditor(t *testing.T) *dapClient {
	t.Helper()
	return startBound(t, &Middleware{})
}

// startBound is startDelve behind m with Delve's session bound to the layer.
func startBound(t *testing.T, m *Middleware) *dapClient {
	t.Helper()
	prev := delvedap.SessionStarted
	delvedap.SessionStarted = func(conn io.ReadWriteCloser, s *delvedap.Session) {
		if !BindDelve(conn, s) {
			t.Errorf("Delve's session reads %T, not the layer's Conn", conn)
		}
	}
	t.Cleanup(func() { delvedap.SessionStarted = prev })
	return startDelve(t, m)
}

// failure reads until the response to request seq and wants it failed.
func (c *dapClient) failure(seq int) *godap.ErrorResponse {
	c.t.Helper()
	for {
		msg := c.next()
		if e, ok := msg.(godap.EventMessage); ok {
			c.events = append(c.events, e)
		}
		if r, ok := msg.(godap.ResponseMessage); ok && r.GetResponse().RequestSeq == seq {
			e, ok := r.(*godap.ErrorResponse)
			if !ok || e.Success || e.Body.Error == nil {
				c.t.Fatalf("want an error response to %d, got %#v", seq, r)
			}
			return e
		}
	}
}

// top returns the top frame of goroutine id.
func (c *dapClient) top(id int) godap.StackFrame {
	c.t.Helper()
	st := c.response(c.request("stackTrace", fmt.Sprintf(`{"threadId":%d,"levels":1}`, id))).(*godap.StackTraceResponse)
	if len(st.Body.StackFrames) == 0 {
		c.t.Fatal("no frames")
	}
	return st.Body.StackFrames[0]
}

// stopped waits for the next stopped event and returns its body.
func (c *dapClient) stopped() godap.StoppedEventBody {
	c.t.Helper()
	return c.event("stopped").(*godap.StoppedEvent).Body
}

// TestEditorRequests drives the requests the layer answers for Delve
// (editor.go) against Delve's own session: breakpoint moves and
// breakpointLocations, Step Into Target, completions, Set Next Statement.
func TestEditorRequests(t *testing.T) {
	bin := fixtures.Build(t, "moves", fixtures.NoOpt)
	src := filepath.Join(fixtures.Dir("moves"), "main.go")
	mark := func(label string) int { return fixtures.Line(t, "moves", "main.go", label) }
	c := startEditor(t)

	init := c.response(c.request("initialize", `{"adapterID":"go","linesStartAt1":true,"columnsStartAt1":true,"pathFormat":"path"}`)).(*godap.InitializeResponse)
	if b := init.Body; !b.SupportsBreakpointLocationsRequest || !b.SupportsGotoTargetsRequest || !b.SupportsStepInTargetsRequest || !b.SupportsCompletionsRequest {
		t.Fatalf("capabilities not advertised: %+v", b)
	}
	c.response(c.request("launch", fmt.Sprintf(`{"mode":"exec","program":%q}`, bin)))
	c.event("initialized")

	checkMoves(t, c, src, mark)
	c.response(c.request("configurationDone", `{}`))
	g := c.stopped().ThreadId
	fr := c.top(g)
	if fr.Line != mark("two-calls") {
		t.Fatalf("stopped at line %d, want %d", fr.Line, mark("two-calls"))
	}

	checkCompletions(t, c, fr.Id)

	targets := c.response(c.request("stepInTargets", fmt.Sprintf(`{"frameId":%d}`, fr.Id))).(*godap.StepInTargetsResponse).Body.Targets
	var labels []string
	for _, tg := range targets {
		labels = append(labels, tg.Label)
	}
	if !slices.Equal(labels, []string{"main.double", "main.triple"}) {
		t.Fatalf("stepInTargets on the line with two calls: %v", labels)
	}
	c.response(c.request("stepIn", fmt.Sprintf(`{"threadId":%d,"targetId":%d}`, g, targets[1].Id)))
	if st := c.stopped(); st.Reason != "step" {
		t.Errorf("Step Into Target stopped with reason %q, want step", st.Reason)
	}
	// Where Delve's own step in stops: the entry after the prologue.
	if fr := c.top(g); fr.Name != "main.triple" || fr.Line > mark("triple-body") || fr.Line < mark("between-funcs") {
		t.Fatalf("Step Into Target main.triple stopped in %s at line %d", fr.Name, fr.Line)
	}
	// The temporary breakpoint and Delve's step over the line are gone:
	// stepping goes on as usual.
	c.response(c.request("stepOut", fmt.Sprintf(`{"threadId":%d}`, g)))
	c.stopped()
	c.response(c.request("next", fmt.Sprintf(`{"threadId":%d}`, g)))
	if st := c.stopped(); st.Reason != "step" {
		t.Fatalf("next after Step Into Target: reason %q", st.Reason)
	}
	if fr := c.top(g); fr.Line != mark("after-calls") {
		t.Fatalf("next after Step Into Target stopped at line %d, want %d", fr.Line, mark("after-calls"))
	}

	checkGoto(t, c, g, src, mark)
	c.response(c.request("disconnect", `{"terminateDebuggee":true}`))
}

// checkMoves checks breakpointLocations in main, and that a breakpoint on
// a comment line of main moves to the next statement while one between
// functions stays where asked, unverified.
func checkMoves(t *testing.T, c *dapClient, src string, mark func(string) int) {
	t.Helper()
	locs := c.response(c.request("breakpointLocations", fmt.Sprintf(`{"source":{"path":%q},"line":%d,"endLine":%d}`,
		src, mark("main-start"), mark("main-end")))).(*godap.BreakpointLocationsResponse)
	var lines []int
	for _, l := range locs.Body.Breakpoints {
		lines = append(lines, l.Line)
	}
	if !slices.Contains(lines, mark("two-calls")) || slices.Contains(lines, mark("comment-in-main")) {
		t.Errorf("breakpointLocations in main: %v; want %d and not %d", lines, mark("two-calls"), mark("comment-in-main"))
	}

	bps := c.response(c.request("setBreakpoints", fmt.Sprintf(`{"source":{"path":%q},"breakpoints":[{"line":%d},{"line":%d}]}`,
		src, mark("comment-in-main"), mark("between-funcs")))).(*godap.SetBreakpointsResponse).Body.Breakpoints
	if len(bps) != 2 || !bps[0].Verified || bps[0].Line != mark("two-calls") || !strings.Contains(bps[0].Message, "moved from line") {
		t.Errorf("comment line inside main: %+v; want verified at line %d with the reason", bps, mark("two-calls"))
	}
	if len(bps) == 2 && (bps[1].Verified || bps[1].Line == mark("two-calls")) {
		t.Errorf("line between functions: %+v; want unverified where asked", bps[1])
	}
}

// checkCompletions completes a struct's fields, a map's keys, the names
// in scope and a dlv console command.
func checkCompletions(t *testing.T, c *dapClient, frameID int) {
	t.Helper()
	tests := []struct {
		text string
		want []string
	}{
		{"p.", []string{"X", "Y"}},
		{"p.Y", []string{"Y"}},
		{`m[`, []string{`"alpha"`, `"beta"`}},
		{`m["b`, []string{`"beta"`}},
		{"", []string{"m", "p"}},
		{"dlv so", []string{"sources"}},
	}
	for _, tc := range tests {
		resp := c.response(c.request("completions", fmt.Sprintf(`{"frameId":%d,"text":%q,"column":%d}`, frameID, tc.text, len(tc.text)+1))).(*godap.CompletionsResponse)
		var got []string
		for _, it := range resp.Body.Targets {
			got = append(got, it.Label)
		}
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("completions of %q: %v, want %s among them", tc.text, got, w)
			}
		}
	}
}

// checkGoto jumps over a statement of the same function and steps from
// there, and is refused a line of another function with the reason.
func checkGoto(t *testing.T, c *dapClient, g int, src string, mark func(string) int) {
	t.Helper()
	gt := c.response(c.request("gotoTargets", fmt.Sprintf(`{"source":{"path":%q},"line":%d}`, src, mark("skipped")))).(*godap.GotoTargetsResponse)
	if len(gt.Body.Targets) != 1 {
		t.Fatalf("gotoTargets at the skipped line: %+v", gt.Body.Targets)
	}
	c.response(c.request("goto", fmt.Sprintf(`{"threadId":%d,"targetId":%d}`, g, gt.Body.Targets[0].Id)))
	if st := c.stopped(); st.Reason != "goto" || st.ThreadId != g {
		t.Errorf("after goto: stopped %+v, want reason goto on %d", st, g)
	}
	if fr := c.top(g); fr.Line != mark("skipped") {
		t.Fatalf("after goto the goroutine is at line %d, want %d", fr.Line, mark("skipped"))
	}
	c.response(c.request("next", fmt.Sprintf(`{"threadId":%d}`, g)))
	c.stopped()
	fr := c.top(g)
	if fr.Line != mark("print") {
		t.Fatalf("next after goto stopped at line %d, want %d", fr.Line, mark("print"))
	}
	ev := c.response(c.request("evaluate", fmt.Sprintf(`{"expression":"total","frameId":%d,"context":"watch"}`, fr.Id))).(*godap.EvaluateResponse)
	if ev.Body.Result != "0" {
		t.Errorf("total = %s after the jumped-to statement ran, want 0", ev.Body.Result)
	}

	other := c.response(c.request("gotoTargets", fmt.Sprintf(`{"source":{"path":%q},"line":%d}`, src, mark("double-body")))).(*godap.GotoTargetsResponse)
	if len(other.Body.Targets) != 1 {
		t.Fatalf("gotoTargets in main.double: %+v", other.Body.Targets)
	}
	e := c.failure(c.request("goto", fmt.Sprintf(`{"threadId":%d,"targetId":%d}`, g, other.Body.Targets[0].Id)))
	if !strings.Contains(e.Body.Error.Format, "stays inside the current function") || !e.Body.Error.ShowUser {
		t.Errorf("goto into another function: %+v", e.Body.Error)
	}
	if fr := c.top(g); fr.Line != mark("print") {
		t.Errorf("a refused goto moved the goroutine to line %d", fr.Line)
	}
}

// TestConsoleCommandsAreDelves checks the dlv commands completions offers
// against the list Delve's "dlv help" prints in the Debug Console.
func TestConsoleCommandsAreDelves(t *testing.T) {
	bin := fixtures.Build(t, "moves", fixtures.NoOpt)
	c := startEditor(t)
	c.response(c.request("initialize", `{"adapterID":"go","linesStartAt1":true,"columnsStartAt1":true,"pathFormat":"path"}`))
	c.response(c.request("launch", fmt.Sprintf(`{"mode":"exec","program":%q,"stopOnEntry":true}`, bin)))
	c.event("initialized")
	c.response(c.request("configurationDone", `{}`))
	c.stopped()
	ev := c.response(c.request("evaluate", `{"expression":"dlv help","context":"repl"}`)).(*godap.EvaluateResponse)
	var delve []string
	for _, m := range regexp.MustCompile(`(?m)^\s*dlv (\w+)`).FindAllStringSubmatch(ev.Body.Result, -1) {
		delve = append(delve, m[1])
	}
	slices.Sort(delve)
	if !slices.Equal(delve, consoleCommands) {
		t.Errorf("Delve's console commands %v, completions offer %v", delve, consoleCommands)
	}
	c.response(c.request("disconnect", `{"terminateDebuggee":true}`))
}

// TestEditorWhileRunning checks that, while the target runs, the editor
// requests answer at once (the layer never waits for the next stop) and
// breakpoints go to Delve as asked.
func TestEditorWhileRunning(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	src := filepath.Join(fixtures.Dir("worker"), "main.go")
	c := startEditor(t)
	c.response(c.request("initialize", `{"adapterID":"go","linesStartAt1":true,"columnsStartAt1":true,"pathFormat":"path"}`))
	c.response(c.request("launch", fmt.Sprintf(`{"mode":"exec","program":%q,"args":["-n","100000","-pause","10ms"]}`, bin)))
	c.event("initialized")
	c.response(c.request("configurationDone", `{}`))
	e := c.failure(c.request("completions", `{"text":"p.","column":3}`))
	if e.Body.Error.Id != int(ErrIDNotStopped) {
		t.Errorf("completions while running: %+v, want %v", e.Body.Error, ErrIDNotStopped)
	}
	locs := c.response(c.request("breakpointLocations", fmt.Sprintf(`{"source":{"path":%q},"line":1,"endLine":100}`, src))).(*godap.BreakpointLocationsResponse)
	if len(locs.Body.Breakpoints) != 0 {
		t.Errorf("breakpointLocations while running read Delve's line tables: %+v", locs.Body.Breakpoints)
	}
	line := fixtures.Line(t, "worker", "main.go", "work-body")
	bps := c.response(c.request("setBreakpoints", fmt.Sprintf(`{"source":{"path":%q},"breakpoints":[{"line":%d}]}`, src, line))).(*godap.SetBreakpointsResponse)
	if len(bps.Body.Breakpoints) != 1 || !bps.Body.Breakpoints[0].Verified {
		t.Errorf("setBreakpoints while running: %+v", bps.Body.Breakpoints)
	}
	if st := c.stopped(); st.Reason != "breakpoint" {
		t.Errorf("stopped with reason %q, want breakpoint", st.Reason)
	}
	c.response(c.request("disconnect", `{"terminateDebuggee":true}`))
}

// noDebugger is a Delve session before its launch.
type noDebugger struct{}

func (noDebugger) Debugger() *debugger.Debugger { return nil }

// A core file's registers cannot be written: after its launch the layer
// withdraws Set Next Statement and Step Into Target.
func TestCoreWithdrawsCapabilities(t *testing.T) {
	m := &Middleware{}
	m.ServeDelve(noDebugger{})
	r := startRelay(t, m)
	write(t, r.client, frame(`{"seq":1,"type":"request","command":"launch","arguments":{"mode":"core","program":"/nonexistent/app","coreFilePath":"/nonexistent/core"}}`))
	readFrame(t, r.ar)
	write(t, r.adapter, frame(`{"seq":1,"type":"response","request_seq":1,"command":"launch","success":true}`))
	ev := decodeMap(t, readFrame(t, r.cr))
	body, _ := ev["body"].(map[string]any)
	caps, _ := body["capabilities"].(map[string]any)
	if ev["event"] != "capabilities" || caps["supportsGotoTargetsRequest"] != false || caps["supportsStepInTargetsRequest"] != false {
		t.Fatalf("after a core launch: %v, want goto and step-in targets withdrawn", ev)
	}
	if resp := decodeMap(t, readFrame(t, r.cr)); resp["command"] != "launch" {
		t.Fatalf("then %v, want the launch response", resp)
	}
}
