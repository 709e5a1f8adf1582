package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	godap "github.com/google/go-dap"

	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/go-delve/delve/service/rpc2"
)

// lockedBuffer collects a process's output from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// dapServer is a running "dlvx dap".
type dapServer struct {
	cmd  *exec.Cmd
	out  *lockedBuffer
	addr string
}

// startDAP runs "dlvx dap" on loopback and waits until it listens.
func startDAP(t testing.TB) *dapServer { return startServer(t, dlvxBin, "dap") }

// startDAPWith runs "BIN dap" on loopback, for dlvx or upstream dlv.
func startDAPWith(t testing.TB, bin string) *dapServer { return startServer(t, bin, "dap") }

// startServer runs "BIN ARGS... --listen 127.0.0.1:0" (dap, or a headless
// command) and waits until it listens.
func startServer(t testing.TB, bin string, args ...string) *dapServer {
	t.Helper()
	cmd := exec.Command(bin, append(args, "--listen", "127.0.0.1:0")...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := &lockedBuffer{}
	cmd.Stderr = out
	// A target dlvx launched holds stderr open if it outlives dlvx: bound Wait.
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// SIGTERM first: dlvx then ends the process it launched, which a
		// SIGKILL would leave running (and spinning, for the spin fixture).
		cmd.Process.Signal(syscall.SIGTERM)
		kill := time.AfterFunc(10*time.Second, func() { cmd.Process.Kill() })
		cmd.Wait()
		kill.Stop()
	})
	listening := regexp.MustCompile(`(?:DAP|API) server listening at: (127\.0\.0\.1:\d+)`)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		fmt.Fprintln(out, sc.Text())
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			go func() {
				for sc.Scan() {
					fmt.Fprintln(out, sc.Text())
				}
			}()
			return &dapServer{cmd: cmd, out: out, addr: m[1]}
		}
	}
	t.Fatalf("%s %v exited without listening:\n%s", bin, args, out)
	return nil
}

// exitCode waits for the server to exit, at most a minute.
func (s *dapServer) exitCode(t testing.TB) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	timeout := time.NewTimer(time.Minute)
	defer timeout.Stop()
	select {
	case <-done:
		return s.cmd.ProcessState.ExitCode()
	case <-timeout.C:
		t.Fatalf("dlvx dap did not exit within a minute:\n%s", s.out)
		return -1
	}
}

// A dapClient is a scripted DAP client that checks the adapter's seq
// increases with every message.
type dapClient struct {
	t       testing.TB
	conn    net.Conn
	r       *bufio.Reader
	seq     int
	lastSeq int
	// anySeq skips the seq check, for upstream dlv: Delve numbers a message
	// when it builds it and sends it later, so its seq can go backwards
	// (seen: 7 after 8 while attaching). The layer renumbers in wire order.
	anySeq bool
}

func dialDAP(t testing.TB, addr string) *dapClient {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	// A bound on every read instead of sleeps: a hung session fails.
	conn.SetReadDeadline(time.Now().Add(90 * time.Second))
	return &dapClient{t: t, conn: conn, r: bufio.NewReader(conn)}
}

// request sends a request with the next seq.
func (c *dapClient) request(command string, args any) int {
	c.t.Helper()
	c.seq++
	msg := map[string]any{"seq": c.seq, "type": "request", "command": command}
	if args != nil {
		msg["arguments"] = args
	}
	if err := godap.WriteProtocolMessage(c.conn, rawMessage(msg)); err != nil {
		c.t.Fatalf("send %s: %v", command, err)
	}
	return c.seq
}

// next reads one message and checks its seq.
func (c *dapClient) next() godap.Message {
	c.t.Helper()
	msg, err := godap.ReadProtocolMessage(c.r)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	if msg.GetSeq() <= c.lastSeq && !c.anySeq {
		c.t.Fatalf("seq %d after %d: %#v", msg.GetSeq(), c.lastSeq, msg)
	}
	c.lastSeq = msg.GetSeq()
	return msg
}

// response reads until the response to request seq, which must succeed;
// it returns the events read on the way.
func (c *dapClient) response(seq int) (godap.ResponseMessage, []godap.EventMessage) {
	c.t.Helper()
	var events []godap.EventMessage
	for {
		switch m := c.next().(type) {
		case godap.ResponseMessage:
			r := m.GetResponse()
			if r.RequestSeq != seq {
				c.t.Fatalf("response to %d while waiting for %d: %#v", r.RequestSeq, seq, m)
			}
			if !r.Success {
				c.t.Fatalf("%s failed: %s %#v", r.Command, r.Message, m)
			}
			return m, events
		case godap.EventMessage:
			events = append(events, m)
		}
	}
}

// event reads until an event named name.
func (c *dapClient) event(name string) godap.EventMessage {
	c.t.Helper()
	for {
		if e, ok := c.next().(godap.EventMessage); ok && e.GetEvent().Event == name {
			return e
		}
	}
}

// rawMessage lets WriteProtocolMessage send a map.
type rawMessage map[string]any

func (rawMessage) GetSeq() int { return 0 }

// setBreakpointAndStop sets a breakpoint on the worker's work body, finishes
// configuration and waits until it is hit there.
func (c *dapClient) setBreakpointAndStop(t testing.TB) {
	t.Helper()
	src := filepath.Join(fixtures.Dir("worker"), "main.go")
	line := fixtures.Line(t, "worker", "main.go", "work-body")
	resp, _ := c.response(c.request("setBreakpoints", map[string]any{
		"source": map[string]any{"path": src}, "breakpoints": []map[string]any{{"line": line}},
	}))
	bps := resp.(*godap.SetBreakpointsResponse).Body.Breakpoints
	if len(bps) != 1 || !bps[0].Verified || bps[0].Line != line {
		t.Fatalf("setBreakpoints at %s:%d = %+v, want one verified breakpoint", src, line, bps)
	}
	c.response(c.request("configurationDone", nil))
	stopped := c.event("stopped").(*godap.StoppedEvent)
	st, _ := c.response(c.request("stackTrace", map[string]any{"threadId": stopped.Body.ThreadId, "levels": 1}))
	frames := st.(*godap.StackTraceResponse).Body.StackFrames
	if stopped.Body.Reason != "breakpoint" || len(frames) == 0 || frames[0].Line != line {
		t.Fatalf("stopped %q at %+v, want breakpoint at line %d", stopped.Body.Reason, frames, line)
	}
}

// Disconnecting after attach, or dropping the connection, detaches: the
// target runs on with the breakpoint removed (a breakpoint left behind
// would kill it with SIGTRAP) and finishes normally. In dlvx dap and in a
// headless attach, where the DAP client attaches in remote mode.
func TestDAPAttachDisconnectDetaches(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tests := []struct {
		name     string
		headless bool
		drop     bool // close the connection instead of disconnecting
	}{
		{"dap/disconnect", false, false},
		{"dap/drop", false, true},
		{"headless/disconnect", true, false},
		{"headless/drop", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tg := startTarget(t, bin, "-n", "400", "-pause", "10ms")
			srv, attach := startDAP(t), map[string]any{"mode": "local", "processId": tg.PID}
			if tc.headless {
				srv = startServer(t, dlvxBin, "attach", strconv.Itoa(tg.PID), "--headless")
				attach = map[string]any{"mode": "remote"}
			}
			c := dialDAP(t, srv.addr)
			c.response(c.request("initialize", map[string]any{"adapterID": "go"}))
			c.response(c.request("attach", attach))
			c.setBreakpointAndStop(t)
			if tc.drop {
				c.conn.Close()
			} else {
				c.response(c.request("disconnect", map[string]any{}))
			}
			if code := srv.exitCode(t); code != 0 {
				t.Fatalf("dlvx exited %d:\n%s", code, srv.out)
			}
			if last := tg.Finish(t); !regexp.MustCompile(`^done \d+$`).MatchString(last) {
				t.Errorf("target's last line %q, want done N", last)
			}
		})
	}
}

// A client that asks to terminate the attached process gets it killed.
func TestDAPAttachDisconnectTerminates(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tg := startTarget(t, bin, "-n", "400", "-pause", "10ms")
	srv := startDAP(t)
	c := dialDAP(t, srv.addr)
	c.response(c.request("initialize", map[string]any{"adapterID": "go"}))
	c.response(c.request("attach", map[string]any{"mode": "local", "processId": tg.PID}))
	c.response(c.request("configurationDone", nil))
	c.response(c.request("disconnect", map[string]any{"terminateDebuggee": true}))
	if err := tg.Wait(t); err == nil {
		t.Error("target exited normally, want it killed by terminateDebuggee")
	}
	if code := srv.exitCode(t); code != 0 {
		t.Fatalf("dlvx dap exited %d:\n%s", code, srv.out)
	}
}

// One headless listener serves DAP and JSON-RPC side by side.
func TestDAPHeadlessServesBothProtocols(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	addr, _ := startHeadless(t, bin, "-n", "5")

	c := dialDAP(t, addr)
	c.response(c.request("initialize", map[string]any{"adapterID": "go"}))
	resp, _ := c.response(c.request("threads", nil))
	if len(resp.(*godap.ThreadsResponse).Body.Threads) == 0 {
		t.Error("threads: no threads over DAP")
	}

	rpc := rpc2.NewClient(addr)
	state, err := rpc.GetState()
	if err != nil || state.Exited {
		t.Fatalf("JSON-RPC GetState on the same listener: %+v, %v", state, err)
	}
	if bps, err := rpc.ListBreakpoints(false); err != nil {
		t.Fatalf("JSON-RPC ListBreakpoints: %v", err)
	} else if len(bps) == 0 {
		t.Error("ListBreakpoints: no breakpoints; Delve always has its panic breakpoint")
	}
}

func TestCheckListenAddr(t *testing.T) {
	tests := []struct {
		addr   net.Addr
		allow  bool
		refuse bool
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, false, false},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 1}, false, false},
		{&net.UnixAddr{Name: "/tmp/dlvx.sock", Net: "unix"}, false, false},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 1}, false, true},
		{&net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1}, false, true},
		{&net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1}, true, false},
	}
	for _, tc := range tests {
		err := checkListenAddr(tc.addr, tc.allow)
		var rle *RemoteListenError
		if got := errors.As(err, &rle); got != tc.refuse {
			t.Errorf("checkListenAddr(%v, allow=%v) = %v, want refused=%v", tc.addr, tc.allow, err, tc.refuse)
		}
	}
}

// The layer sits on every entry point VS Code uses: the dap listener, the
// connection dap --client-addr dials, and the headless listener. Only the
// layer answers a malformed frame with an explanation (its error id) before
// closing; Delve alone closes silently.
func TestDAPLayerOnEveryEntryPoint(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	connect := map[string]func(t *testing.T) net.Conn{
		"dap": func(t *testing.T) net.Conn {
			return dialDAP(t, startDAP(t).addr).conn
		},
		"headless": func(t *testing.T) net.Conn {
			return dialDAP(t, startServer(t, dlvxBin, "exec", bin, "--headless").addr).conn
		},
		"client-addr": func(t *testing.T) net.Conn {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			cmd := exec.Command(dlvxBin, "dap", "--client-addr", l.Addr().String())
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
			conn, err := l.Accept()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { conn.Close() })
			conn.SetReadDeadline(time.Now().Add(90 * time.Second))
			return conn
		},
	}
	for name, dial := range connect {
		t.Run(name, func(t *testing.T) {
			conn := dial(t)
			c := &dapClient{t: t, conn: conn, r: bufio.NewReader(conn)}
			resp, _ := c.response(c.request("initialize", map[string]any{"adapterID": "go"}))
			if !resp.(*godap.InitializeResponse).Body.SupportsConfigurationDoneRequest {
				t.Error("initialize response lacks Delve's capabilities")
			}
			if _, err := conn.Write([]byte("Content-Length: 9\r\n\r\n{\"seq\":2,")); err != nil {
				t.Fatal(err)
			}
			conn.(*net.TCPConn).CloseWrite()
			out, ok := c.next().(*godap.OutputEvent)
			if !ok || out.Body.Category != "important" || !strings.Contains(out.Body.Output, "dlvx-9001") {
				t.Fatalf("after a malformed frame got %+v, want the layer's important output", out)
			}
			if msg, err := godap.ReadProtocolMessage(c.r); err == nil {
				t.Fatalf("after the explanation got %#v, want the connection closed", msg)
			}
		})
	}
}
