package dap

import (
	"bufio"
	"context"
	"debug/elf"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	godap "github.com/google/go-dap"

	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/go-delve/delve/service"
	delvedap "github.com/go-delve/delve/service/dap"
	"github.com/go-delve/delve/service/debugger"
)

// startDelve serves Delve's own DAP session, in process, behind m on a
// loopback listener, the way dlvx dap does, and returns a client for it.
func startDelve(t *testing.T, m *Middleware) *dapClient {
	t.Helper()
	l := m.Listener(listenLoopback(t))
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := <-accepted
	if c == nil {
		t.Fatal("accept failed")
	}
	cfg := &delvedap.Config{
		Config: &service.Config{
			DisconnectChan: make(chan struct{}),
			Debugger:       debugger.Config{Backend: "default"},
		},
		StopTriggered: make(chan struct{}),
	}
	sess := delvedap.NewSession(c, cfg, nil)
	served := make(chan struct{})
	go func() { sess.ServeDAPCodec(); close(served) }()
	t.Cleanup(func() {
		conn.Close()
		<-served
		sess.Close() // kills a launched process
		<-c.(*Conn).Done()
	})
	conn.SetReadDeadline(time.Now().Add(90 * time.Second)) // a hung session fails, no sleeps
	return &dapClient{t: t, conn: conn, r: bufio.NewReader(conn)}
}

// A dapClient is a scripted client that checks seq increases.
type dapClient struct {
	t       *testing.T
	conn    net.Conn
	r       *bufio.Reader
	seq     int
	lastSeq int
	outputs []*godap.OutputEvent
	events  []godap.EventMessage // read while waiting for a response
}

func (c *dapClient) request(command string, args string) int {
	c.t.Helper()
	c.seq++
	msg := fmt.Sprintf(`{"seq":%d,"type":"request","command":%q,"arguments":%s}`, c.seq, command, args)
	write(c.t, c.conn, frame(msg))
	return c.seq
}

func (c *dapClient) next() godap.Message {
	c.t.Helper()
	msg, err := godap.ReadProtocolMessage(c.r)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	if msg.GetSeq() <= c.lastSeq {
		c.t.Fatalf("seq %d after %d: %#v", msg.GetSeq(), c.lastSeq, msg)
	}
	c.lastSeq = msg.GetSeq()
	if out, ok := msg.(*godap.OutputEvent); ok {
		c.outputs = append(c.outputs, out)
	}
	return msg
}

// response reads until the successful response to request seq.
func (c *dapClient) response(seq int) godap.ResponseMessage {
	c.t.Helper()
	for {
		msg := c.next()
		if e, ok := msg.(godap.EventMessage); ok {
			c.events = append(c.events, e)
		}
		if r, ok := msg.(godap.ResponseMessage); ok {
			if resp := r.GetResponse(); resp.RequestSeq != seq || !resp.Success {
				if e, ok := r.(*godap.ErrorResponse); ok && e.Body.Error != nil {
					c.t.Fatalf("%s failed: %s", resp.Command, e.Body.Error.Format)
				}
				c.t.Fatalf("want a successful response to %d, got %#v", seq, r)
			}
			return r
		}
	}
}

// event returns the first event named name not returned yet, reading
// more messages if needed.
func (c *dapClient) event(name string) godap.EventMessage {
	c.t.Helper()
	for i, e := range c.events {
		if e.GetEvent().Event == name {
			c.events = append(c.events[:i], c.events[i+1:]...)
			return e
		}
	}
	for {
		if e, ok := c.next().(godap.EventMessage); ok && e.GetEvent().Event == name {
			return e
		}
	}
}

// symbolExplainer is a real BreakpointExplainer, not a canned one: it
// reads the binary's DWARF line tables and symbol table to say that a
// file is not compiled in or a function does not exist.
type symbolExplainer struct{}

func (symbolExplainer) ExplainLine(_ context.Context, binary, file string, line int) (string, error) {
	f, err := elf.Open(binary)
	if err != nil {
		return "", err
	}
	defer f.Close()
	d, err := f.DWARF()
	if err != nil {
		return "", err
	}
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			return fmt.Sprintf("%s is not compiled into %s", file, binary), err
		}
		lr, err := d.LineReader(e)
		if err != nil || lr == nil {
			r.SkipChildren()
			continue
		}
		for _, lf := range lr.Files() {
			if lf != nil && lf.Name == file {
				return "", nil
			}
		}
		r.SkipChildren()
	}
}

func (symbolExplainer) ExplainFunction(_ context.Context, binary, name string) (string, error) {
	f, err := elf.Open(binary)
	if err != nil {
		return "", err
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return "", err
	}
	for _, s := range syms {
		if s.Name == name {
			return "", nil
		}
	}
	return fmt.Sprintf("no function %s in the symbol table of %s", name, binary), nil
}

// Through the layer, Delve launches, binds and stops as without it; the
// doctor's output comes first with seq kept increasing, and unverified
// breakpoints carry the explainer's verdict before Delve's own message.
func TestDelveBehindLayer(t *testing.T) {
	worker := fixtures.Build(t, "worker", fixtures.NoOpt)
	src := filepath.Join(fixtures.Dir("worker"), "main.go")
	line := fixtures.Line(t, "worker", "main.go", "work-body")
	c := startDelve(t, &Middleware{Doctor: &sectionDoctor{}, Explainer: symbolExplainer{}})

	c.response(c.request("initialize", `{"adapterID":"go","linesStartAt1":true}`))
	c.response(c.request("launch", fmt.Sprintf(`{"mode":"exec","program":%q,"args":["-n","2"]}`, worker)))
	c.event("initialized")
	if len(c.outputs) == 0 || c.outputs[0].Body.Category != "console" || !strings.Contains(c.outputs[0].Body.Output, worker) {
		t.Errorf("first output %+v, want the doctor's report on %s", c.outputs, worker)
	}

	missing := "/nonexistent/elsewhere.go"
	resp := c.response(c.request("setBreakpoints", fmt.Sprintf(
		`{"source":{"path":%q},"breakpoints":[{"line":3}]}`, missing))).(*godap.SetBreakpointsResponse)
	checkUnverified(t, resp.Body.Breakpoints, missing+" is not compiled into "+worker)

	resp = c.response(c.request("setBreakpoints", fmt.Sprintf(
		`{"source":{"path":%q},"breakpoints":[{"line":%d}]}`, src, line))).(*godap.SetBreakpointsResponse)
	if bps := resp.Body.Breakpoints; len(bps) != 1 || !bps[0].Verified || bps[0].Message != "" {
		t.Fatalf("breakpoint at %s:%d = %+v, want verified with no message", src, line, bps)
	}

	fresp := c.response(c.request("setFunctionBreakpoints",
		`{"breakpoints":[{"name":"main.noSuchFunction"}]}`)).(*godap.SetFunctionBreakpointsResponse)
	checkUnverified(t, fresp.Body.Breakpoints, "no function main.noSuchFunction in the symbol table of "+worker)

	c.response(c.request("configurationDone", `{}`))
	stopped := c.event("stopped").(*godap.StoppedEvent)
	st := c.response(c.request("stackTrace", fmt.Sprintf(`{"threadId":%d,"levels":1}`, stopped.Body.ThreadId)))
	if frames := st.(*godap.StackTraceResponse).Body.StackFrames; len(frames) == 0 || frames[0].Line != line {
		t.Fatalf("stopped at %+v, want line %d", frames, line)
	}
	c.response(c.request("disconnect", `{"terminateDebuggee":true}`))
}

// checkUnverified wants one unverified breakpoint whose message is why,
// a newline, then Delve's own non-empty message.
func checkUnverified(t *testing.T, bps []godap.Breakpoint, why string) {
	t.Helper()
	if len(bps) != 1 || bps[0].Verified {
		t.Fatalf("breakpoints %+v, want one unverified", bps)
	}
	got, delve, ok := strings.Cut(bps[0].Message, "\n")
	if !ok || got != why || delve == "" {
		t.Errorf("message %q, want %q, a newline, then Delve's message", bps[0].Message, why)
	}
}

// The doctor examines the executable Delve is about to debug, however the
// client names it: the program of an exec launch, the process of a local
// attach, or, for a launch that builds, the process Delve started.
func TestDoctorSeesTheBinary(t *testing.T) {
	worker := fixtures.Build(t, "worker", fixtures.NoOpt)
	tests := []struct {
		name string
		req  func(t *testing.T) (command, args string, want func(string) bool)
	}{
		{"exec", func(t *testing.T) (string, string, func(string) bool) {
			return "launch", fmt.Sprintf(`{"mode":"exec","program":%q}`, worker),
				func(p string) bool { return p == worker }
		}},
		{"attach", func(t *testing.T) (string, string, func(string) bool) {
			pid := startWorker(t, worker)
			return "attach", fmt.Sprintf(`{"mode":"local","processId":%d}`, pid),
				func(p string) bool { return p == procExe(pid) }
		}},
		{"debug", func(t *testing.T) (string, string, func(string) bool) {
			out := filepath.Join(t.TempDir(), "debug-bin")
			t.Chdir(".") // Delve changes to dlvCwd in this process: restore it after

			// The fixture is a module of its own: build from its directory.
			return "launch", fmt.Sprintf(`{"mode":"debug","program":".","dlvCwd":%q,"output":%q,"buildFlags":"-buildvcs=false"}`, fixtures.Dir("worker"), out),
				func(p string) bool { return strings.HasPrefix(p, "/proc/") && sameFile(p, out) }
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := &sectionDoctor{paths: make(chan string, 1)}
			c := startDelve(t, &Middleware{Doctor: doc})
			c.response(c.request("initialize", `{"adapterID":"go"}`))
			command, args, want := tc.req(t)
			c.response(c.request(command, args))
			select {
			case p := <-doc.paths:
				if !want(p) {
					t.Errorf("doctor examined %s", p)
				}
			default:
				t.Fatal("the doctor was not run before the response")
			}
			c.response(c.request("disconnect", `{"terminateDebuggee":true}`))
		})
	}
}

// startWorker runs the worker long enough to be attached to and returns
// its pid once it is ready.
func startWorker(t *testing.T, bin string) int {
	t.Helper()
	cmd := exec.Command(bin, "-n", "100000", "-pause", "10ms")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var pid int
	if _, err := fmt.Fscanf(bufio.NewReader(stdout), "ready %d\n", &pid); err != nil {
		t.Fatalf("worker: %v", err)
	}
	go io.Copy(io.Discard, stdout)
	return pid
}

func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}
