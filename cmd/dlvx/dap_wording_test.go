package main

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	godap "github.com/google/go-dap"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// editorSession is what a client of one DAP session received: its output
// events, the messages of its breakpoints, and the server's stderr, which
// VS Code's Go extension prints in the Debug Console too.
type editorSession struct {
	outputs  []*godap.OutputEvent
	messages []string
	stderr   string
}

// runEditorSession launches bin with extra launch arguments, sets line
// breakpoints in src and function breakpoints, and disconnects, keeping
// everything the client received.
func runEditorSession(t *testing.T, bin string, extra map[string]any, src string, lines []int, funcs []string) editorSession {
	t.Helper()
	srv := startDAP(t)
	c := dialDAP(t, srv.addr)
	var es editorSession
	collect := func(events []godap.EventMessage) { es.outputs = append(es.outputs, outputs(events)...) }
	_, ev := c.response(c.request("initialize", map[string]any{"adapterID": "go", "linesStartAt1": true}))
	collect(ev)
	args := map[string]any{"mode": "exec", "program": bin}
	for k, v := range extra {
		args[k] = v
	}
	_, ev = c.response(c.request("launch", args))
	collect(ev)
	var bps []godap.Breakpoint
	if len(lines) > 0 {
		var req []map[string]any
		for _, l := range lines {
			req = append(req, map[string]any{"line": l})
		}
		resp, ev := c.response(c.request("setBreakpoints", map[string]any{"source": map[string]any{"path": src}, "breakpoints": req}))
		collect(ev)
		bps = append(bps, resp.(*godap.SetBreakpointsResponse).Body.Breakpoints...)
	}
	if len(funcs) > 0 {
		var req []map[string]any
		for _, n := range funcs {
			req = append(req, map[string]any{"name": n})
		}
		resp, ev := c.response(c.request("setFunctionBreakpoints", map[string]any{"breakpoints": req}))
		collect(ev)
		bps = append(bps, resp.(*godap.SetFunctionBreakpointsResponse).Body.Breakpoints...)
	}
	for _, bp := range bps {
		es.messages = append(es.messages, bp.Message)
	}
	_, ev = c.response(c.request("disconnect", map[string]any{"terminateDebuggee": true}))
	collect(ev)
	srv.exitCode(t)
	es.stderr = srv.out.String()
	return es
}

// texts returns every text the session's user reads.
func (es editorSession) texts() []string {
	var out []string
	for _, o := range es.outputs {
		out = append(out, o.Body.Output)
	}
	return append(out, es.messages...)
}

// important returns the important output lines (VS Code's toasts).
func (es editorSession) important() []string {
	var out []string
	for _, o := range es.outputs {
		if o.Body.Category == "important" {
			out = append(out, strings.TrimSpace(o.Body.Output))
		}
	}
	return out
}

// cliSyntax marks dlvx's command line, which an editor's user cannot type.
var cliSyntax = []string{"dlvx ", "--source", "-v", "break ", "config substitute-path"}

// checkEditorText fails when text has a fix in command-line syntax or a
// command-line hint.
func checkEditorText(t *testing.T, what, text string) {
	t.Helper()
	for _, bad := range []string{"(-v shows)", "docs/doctor.md", "(details in the Debug Console)"} {
		if strings.Contains(text, bad) {
			t.Errorf("%s has %q:\n%s", what, bad, text)
		}
	}
	for line := range strings.SplitSeq(text, "\n") {
		l := strings.TrimSpace(line)
		if !strings.HasPrefix(l, "fix:") && !strings.HasPrefix(l, "$ ") {
			continue
		}
		words := strings.Fields(l)
		for _, bad := range cliSyntax {
			// A flag is a word of its own: "-v" inside a path is no flag.
			isFlag := strings.HasPrefix(bad, "-")
			if isFlag && slices.Contains(words, bad) || !isFlag && strings.Contains(l, bad) {
				t.Errorf("%s: a fix in command-line syntax (%q): %s", what, bad, l)
			}
		}
	}
}

// In a DAP session every fix is phrased for the editor: each message the
// command line words with dlvx syntax has its editor wording, and no text
// the client receives has a fix in dlvx's command-line syntax.
func TestDAPEditorWording(t *testing.T) {
	line := func(fixture, label string) int { return fixtures.Line(t, fixture, "main.go", label) }
	main := filepath.Join(fixtures.Dir("breakcases"), "main.go")
	comment := line("breakcases", "comment-line")
	sessions := map[string]editorSession{
		"optimized": runEditorSession(t, fixtures.Build(t, "breakcases", fixtures.Default), map[string]any{"dlvxMoveBreakpoints": false},
			main, []int{comment}, []string{"main.Main"}),
		"trimpath": runEditorSession(t, fixtures.Build(t, "breakcases", trimpathNoOpt), nil, main, []int{line("breakcases", "loop-call")}, nil),
		"stripped": runEditorSession(t, fixtures.Build(t, "worker", fixtures.Stripped), nil,
			filepath.Join(fixtures.Dir("worker"), "main.go"), []int{line("worker", "work-body")}, nil),
	}
	tests := []struct {
		session string
		cli     string // the command line's wording (dlvx doctor --break)
		editor  string // what the editor's user reads instead
	}{
		{"optimized", "fix: in dlvx, break on the statement below: break main.go:N", "fix: move the breakpoint down to line "},
		{"optimized", "fix: in dlvx, break on main.main: break main.main", "fix: name the function breakpoint main.main"},
		{"optimized", "docs: docs/doctor.md#bp-opt", "more: dlvx doctor --explain BP-OPT"},
		{"trimpath", "fix: or pass --source DIR to get the substitutePath rules", `fix: or add to launch.json the "substitutePath" rule that the message of an unverified breakpoint gives`},
		{"trimpath", "fix: dlvx CLI (binary path first): config substitute-path …", `fix: launch.json: "substitutePath": [{"from": `},
		{"stripped", "fix: let dlvx build it: dlvx debug worker", `fix: or let Delve build it: "mode": "debug" in launch.json`},
	}
	for _, tc := range tests {
		all := strings.Join(sessions[tc.session].texts(), "\n")
		if !strings.Contains(all, tc.editor) {
			t.Errorf("%s: %q should read %q; the client received:\n%s", tc.session, tc.cli, tc.editor, all)
		}
	}
	for name, es := range sessions {
		for i, text := range es.texts() {
			checkEditorText(t, name+" message "+strconv.Itoa(i), text)
		}
	}
}

// One toast per cause: a -trimpath binary gets the doctor's BP-TRIMPATH
// and not Delve's trimpath warning on top, a stripped one BP-NODWARF
// alone and Delve's "no debug info found" once; a breakpoint's verdict
// raises none.
func TestDAPOneToastPerCause(t *testing.T) {
	tests := []struct {
		name, fixture string
		variant       fixtures.Variant
		line          string
		want          string // the one important line's finding
		noDebugInfo   int    // Delve's warning on stderr
	}{
		{"trimpath", "breakcases", trimpathNoOpt, "loop-call", "BP-TRIMPATH", 0},
		{"stripped", "worker", fixtures.Stripped, "work-body", "BP-NODWARF", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := filepath.Join(fixtures.Dir(tc.fixture), "main.go")
			es := runEditorSession(t, fixtures.Build(t, tc.fixture, tc.variant), nil, src, []int{fixtures.Line(t, tc.fixture, "main.go", tc.line)}, nil)
			imp := es.important()
			if len(imp) != 1 || !strings.Contains(imp[0], tc.want) {
				t.Errorf("important output %q, want one line naming %s", imp, tc.want)
			}
			// Delve's warning, which VS Code's Go extension shows in the
			// Debug Console: Delve's own load prints it, the doctor's is
			// quiet (patch 0015).
			if n, want := strings.Count(es.stderr, "Warning: no debug info found"), tc.noDebugInfo; n != want {
				t.Errorf("Delve's \"no debug info found\" on stderr %d times, want %d:\n%s", n, want, es.stderr)
			}
		})
	}
}

// A function breakpoint at one of dlvx's locations that the resolver
// refuses (an offset inside an instruction or past the end, an unknown
// hook) says so as dlvx, like every other message of the layer: once led
// by "dlvx: ", with the resolver's reason.
func TestDAPRefusedLocationSpeaksAsDlvx(t *testing.T) {
	skipUnlessAMD64(t)
	bin := fixtures.Build(t, "spin", fixtures.NoOpt)
	names := []string{"main.spin+0x3", "main.spin+0x9999", "preempt:nope"}
	es := runEditorSession(t, bin, nil, "", nil, names)
	want := []string{
		`dlvx: main.spin+0x3 is inside the `,
		`dlvx: main.spin+0x9999 is past the end of main.spin`,
		`dlvx: malformed location "preempt:nope": unknown preemption hook "nope"`,
	}
	if len(es.messages) != len(want) {
		t.Fatalf("messages %q, want %d", es.messages, len(want))
	}
	for i, w := range want {
		if msg := es.messages[i]; !strings.HasPrefix(msg, w) || strings.Count(msg, "dlvx: ") != 1 {
			t.Errorf("%s: message %q, want it to start with %q, dlvx named once", names[i], msg, w)
		}
	}
}

// goRootSrc returns the standard library's source directory of the go
// command that builds the fixtures.
func goRootSrc(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "src")
}

// No toast for a cause the configuration handles: a -trimpath binary
// launched with substitutePath rules that map every one of its files (the
// module's and, through an empty "to", the standard library's) gets no
// BP-TRIMPATH, and its breakpoints bind; rules that leave the standard
// library unmapped still get it, once.
func TestDAPTrimpathHandledByConfiguration(t *testing.T) {
	bin := fixtures.Build(t, "breakcases", trimpathNoOpt)
	dir := fixtures.Dir("breakcases")
	src := filepath.Join(dir, "main.go")
	loop := fixtures.Line(t, "breakcases", "main.go", "loop-call")
	module := map[string]string{"from": dir, "to": "breakcases"}
	std := map[string]string{"from": goRootSrc(t), "to": ""}
	tests := []struct {
		name   string
		rules  []map[string]string
		toasts int // important lines naming BP-TRIMPATH
	}{
		{"every file", []map[string]string{module, std}, 0},
		{"module only", []map[string]string{module}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es := runEditorSession(t, bin, map[string]any{"substitutePath": tc.rules}, src, []int{loop}, nil)
			n := 0
			for _, l := range es.important() {
				if strings.Contains(l, "TRIMPATH") || strings.Contains(l, "trimpath") {
					n++
				}
			}
			if n != tc.toasts {
				t.Errorf("%d important lines about -trimpath, want %d: %q", n, tc.toasts, es.important())
			}
			if len(es.messages) != 1 || es.messages[0] != "" {
				t.Errorf("the breakpoint at main.go:%d did not bind: %q", loop, es.messages)
			}
		})
	}
}
