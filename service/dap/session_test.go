package dap

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

	godap "github.com/google/go-dap"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// Messages the layer does not act on reach the other side byte for byte,
// whatever their spacing, key order, numbers or commands.
func TestRelayPassesBytesThrough(t *testing.T) {
	r := startRelay(t, &Middleware{})
	fromClient := []string{
		`{"seq":1,"type":"request","command":"initialize","arguments":{"adapterID":"go","linesStartAt1":true}}`,
		`{ "type" : "request",  "seq":2, "command":"dlvxNoSuchCommand", "arguments": {"x": 1e400, "y": 12345678901234567890, "s": "\u00e9\ud83d\ude00", "x": 2} }`,
		`{"seq":3,"type":"request","command":"launch","arguments":{"mode":"debug","program":"./does/not/matter","env":{"A":"1 2"},"buildFlags":["-tags=x"]}}`,
	}
	for _, m := range fromClient {
		write(t, r.client, frame(m))
		if got := readFrame(t, r.ar); string(got) != m {
			t.Fatalf("adapter got %s, want %s", got, m)
		}
	}
	fromAdapter := []string{
		`{"seq":1,"type":"response","request_seq":1,"success":true,"command":"initialize","body":{"supportsConfigurationDoneRequest":true}}`,
		`{"type":"event","event":"output","seq":2,  "body":{"output":"ünïcode \t\n"}}`,
	}
	for _, m := range fromAdapter {
		write(t, r.adapter, frame(m))
		if got := readFrame(t, r.cr); string(got) != m {
			t.Fatalf("client got %s, want %s", got, m)
		}
	}
}

// Output the layer adds takes a seq; Delve's later messages are renumbered
// so the client sees seq strictly increasing, and the client's answer to a
// reverse request is given Delve's seq back.
func TestRelayRenumbersAfterInjection(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	doc := &sectionDoctor{paths: make(chan string, 1)}
	r := startRelay(t, &Middleware{Doctor: doc})

	launch := `{"seq":1,"type":"request","command":"launch","arguments":{"mode":"exec","program":` + strconv.Quote(exe) + `}}`
	write(t, r.client, frame(launch))
	if got := <-doc.paths; got != exe {
		t.Errorf("doctor examined %s, want the launch program %s", got, exe)
	}
	// The doctor's report precedes the request reaching Delve: important
	// lines (this test binary has no DWARF), then the detail.
	want, err := doc.Examine(t.Context(), exe)
	if err != nil {
		t.Fatal(err)
	}
	var injected []byte
	for i := range len(want.Important) + 1 {
		injected = readFrame(t, r.cr)
		msg, err := godap.DecodeProtocolMessage(injected)
		out, ok := msg.(*godap.OutputEvent)
		if err != nil || !ok {
			t.Fatalf("message %d to the client = %s, %v; want the doctor's output", i, injected, err)
		}
		wantCat, wantText := "console", want.Detail+"\n"
		if i < len(want.Important) {
			wantCat, wantText = "important", want.Important[i]+"\n"
		}
		if out.Body.Category != wantCat || out.Body.Output != wantText || out.Seq != int(i+1) {
			t.Errorf("output %d = seq %d %s %q, want seq %d %s %q", i, out.Seq, out.Body.Category, out.Body.Output, i+1, wantCat, wantText)
		}
	}
	<-doc.paths
	if got := readFrame(t, r.ar); string(got) != launch {
		t.Fatalf("adapter got %s, want the launch request unchanged", got)
	}

	last := seqOf(t, injected)
	write(t, r.adapter, frame(`{"seq":1,"type":"response","request_seq":1,"success":true,"command":"launch"}`))
	write(t, r.adapter, frame(`{"seq":2,"type":"request","command":"runInTerminal","arguments":{"args":["x"]}}`))
	var reverseSeq int64
	for range 2 {
		b := readFrame(t, r.cr)
		seq := seqOf(t, b)
		if seq <= last {
			t.Fatalf("client saw seq %d after %d: %s", seq, last, b)
		}
		last = seq
		if decodeMap(t, b)["type"] == "request" {
			reverseSeq = seq
		}
	}
	answer := `{"seq":2,"type":"response","request_seq":` + strconv.FormatInt(reverseSeq, 10) + `,"success":true,"command":"runInTerminal"}`
	write(t, r.client, frame(answer))
	wantAnswer := `{"seq":2,"type":"response","request_seq":2,"success":true,"command":"runInTerminal"}`
	if got := readFrame(t, r.ar); string(got) != wantAnswer {
		t.Fatalf("adapter got %s, want %s", got, wantAnswer)
	}
}

// When Delve ends its session the client's connection is closed, and the
// other way round; neither counts as an error.
func TestRelayCloseEitherSide(t *testing.T) {
	for _, side := range []string{"client", "adapter"} {
		t.Run(side, func(t *testing.T) {
			r := startRelay(t, &Middleware{})
			closing, other := r.client, r.ar
			if side == "adapter" {
				closing, other = r.adapter, r.cr
			}
			closing.Close()
			expectEOF(t, other)
			if err := <-r.errc; err != nil {
				t.Errorf("Serve = %v, want nil for a clean close", err)
			}
			r.errc <- nil // for the cleanup
		})
	}
}

var errAny = errors.New("any malformed frame")

// A malformed frame from the client gets an explanation in an output event
// and a closed connection, without reading more than a frame's bound.
func TestRelayMalformedFrames(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"not a number", []byte("Content-Length: abc\r\n\r\n{}"), godap.ErrHeaderNotContentLength},
		{"over 4 MiB", []byte("Content-Length: 99999999999\r\n\r\n"), godap.ErrHeaderContentTooLong},
		{"overflows int64", []byte("Content-Length: 99999999999999999999999\r\n\r\n"), strconv.ErrRange},
		{"endless header", bytes.Repeat([]byte("C"), 1<<20), ErrHeaderTooLong},
		{"second header", []byte("Content-Length: 2\r\nContent-Type: x\r\n\r\n{}"), errAny},
		{"invalid JSON", frame(`{"seq":1,`), errAny},
		{"not an object", frame(`[1,2]`), errAny},
		{"no seq", frame(`{"type":"request","command":"initialize"}`), errAny},
		{"truncated content", []byte("Content-Length: 100\r\n\r\n{}"), errAny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := startRelay(t, &Middleware{})
			go func() {
				// The write fails once the layer has closed: expected.
				// Half-closing lets the layer's drain end at once.
				r.client.Write(tc.data)
				r.client.(*net.TCPConn).CloseWrite()
			}()
			msg, err := godap.DecodeProtocolMessage(readFrame(t, r.cr))
			if out, ok := msg.(*godap.OutputEvent); err != nil || !ok || out.Body.Category != "important" {
				t.Fatalf("client got %#v, %v; want an important output event", msg, err)
			}
			expectEOF(t, r.cr)
			expectEOF(t, r.ar)
			err = <-r.errc
			r.errc <- err
			var fe *FrameError
			if !errors.Is(err, ErrMalformed) || !errors.As(err, &fe) || fe.From != "client" {
				t.Fatalf("Serve = %v, want a client *FrameError wrapping ErrMalformed", err)
			}
			if tc.want != errAny && !errors.Is(err, tc.want) {
				t.Errorf("Serve = %v, want it to wrap %v", err, tc.want)
			}
		})
	}
}

// Delve may answer with more than go-dap's 4 MiB (a long string evaluated
// with a large maxStringLen); the layer forwards it, while the client is
// held to 4 MiB.
func TestRelayForwardsLargeAdapterMessages(t *testing.T) {
	r := startRelay(t, &Middleware{})
	big := `{"seq":1,"type":"event","event":"output","body":{"output":"` + strings.Repeat("x", 5<<20) + `"}}`
	go r.adapter.Write(frame(big)) // an error shows as a short read below
	r.cr.max = MaxAdapterContent   // the test client reads like VS Code
	if got := readFrame(t, r.cr); string(got) != big {
		t.Fatalf("client got %d bytes, want the %d Delve sent", len(got), len(big))
	}
}

// Without a doctor the layer still learns the executable from the launch,
// so the explainer can answer for it.
func TestRelayExplainsWithoutDoctor(t *testing.T) {
	worker := fixtures.Build(t, "worker", fixtures.NoOpt)
	r := startRelay(t, &Middleware{Explainer: symbolExplainer{}})
	launch := `{"seq":1,"type":"request","command":"launch","arguments":{"mode":"exec","program":` + strconv.Quote(worker) + `}}`
	setFn := `{"seq":2,"type":"request","command":"setFunctionBreakpoints","arguments":{"breakpoints":[{"name":"main.nothere"}]}}`
	for _, m := range []string{launch, setFn} {
		write(t, r.client, frame(m))
		readFrame(t, r.ar)
	}
	write(t, r.adapter, frame(`{"seq":1,"type":"response","request_seq":2,"success":true,"command":"setFunctionBreakpoints","body":{"breakpoints":[{"verified":false,"message":"could not find function"}]}}`))
	msg, err := godap.DecodeProtocolMessage(readFrame(t, r.cr))
	resp, ok := msg.(*godap.SetFunctionBreakpointsResponse)
	if err != nil || !ok || len(resp.Body.Breakpoints) != 1 {
		t.Fatalf("client got %#v, %v", msg, err)
	}
	want := "no function main.nothere in the symbol table of " + worker + "\ncould not find function"
	if got := resp.Body.Breakpoints[0].Message; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

// Delve numbers a message when it builds it and sends it later, so its seq
// can go backwards on the wire (seen with upstream dlv while attaching:
// 7 after 8). The client sees seq in wire order.
func TestRelayOrdersDelveSeq(t *testing.T) {
	r := startRelay(t, &Middleware{})
	last := int64(0)
	for _, seq := range []int{1, 3, 2, 4} {
		write(t, r.adapter, frame(fmt.Sprintf(`{"seq":%d,"type":"event","event":"e%d"}`, seq, seq)))
		got := readFrame(t, r.cr)
		if s := seqOf(t, got); s <= last {
			t.Fatalf("client saw seq %d after %d: %s", s, last, got)
		} else {
			last = s
		}
		if ev := decodeMap(t, got)["event"]; ev != fmt.Sprintf("e%d", seq) {
			t.Fatalf("client got %s, want event e%d", got, seq)
		}
	}
}
