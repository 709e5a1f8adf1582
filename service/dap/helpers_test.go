package dap

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"testing"

	"context"
)

// listenLoopback returns a listener on an ephemeral loopback port.
func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (dialed, accepted net.Conn) {
	t.Helper()
	l := listenLoopback(t)
	type result struct {
		c   net.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := l.Accept()
		ch <- result{c, err}
	}()
	dialed, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	return dialed, r.c
}

// A relay is a Middleware session between a scripted client (over loopback
// TCP, as in real use) and a scripted adapter (over net.Pipe, as Delve).
type relay struct {
	client  net.Conn
	adapter net.Conn
	cr, ar  *frameReader
	errc    chan error
}

// startRelay runs m.Serve and registers a cleanup that closes both ends
// and waits for Serve to return, so no relay goroutine outlives the test.
func startRelay(t *testing.T, m *Middleware) *relay {
	t.Helper()
	client, layerClient := tcpPair(t)
	adapter, layerAdapter := net.Pipe()
	r := &relay{client: client, adapter: adapter, errc: make(chan error, 1),
		cr: newFrameReader(client, "test client"), ar: newFrameReader(adapter, "test adapter")}
	go func() { r.errc <- m.Serve(layerClient, layerAdapter) }()
	t.Cleanup(func() {
		client.Close()
		adapter.Close()
		<-r.errc
	})
	return r
}

func frame(content string) []byte {
	return fmt.Appendf(nil, "Content-Length: %d\r\n\r\n%s", len(content), content)
}

func write(t *testing.T, c net.Conn, b []byte) {
	t.Helper()
	if _, err := c.Write(b); err != nil {
		t.Fatalf("write %q: %v", b, err)
	}
}

func readFrame(t *testing.T, fr *frameReader) []byte {
	t.Helper()
	b, err := fr.next()
	if err != nil {
		t.Fatalf("%s: read frame: %v", fr.from, err)
	}
	return b
}

func expectEOF(t *testing.T, fr *frameReader) {
	t.Helper()
	if b, err := fr.next(); err != io.EOF {
		t.Fatalf("%s: got %q, %v; want the connection closed", fr.from, b, err)
	}
}

// decodeMap decodes a message for assertions.
func decodeMap(t *testing.T, b []byte) map[string]any {
	t.Helper()
	m := map[string]any{}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return m
}

func seqOf(t *testing.T, b []byte) int64 {
	t.Helper()
	n, err := decodeMap(t, b)["seq"].(json.Number).Int64()
	if err != nil {
		t.Fatalf("seq of %s: %v", b, err)
	}
	return n
}

// sectionDoctor is a real Doctor, not a canned one: it opens the ELF file
// and reports the DWARF sections that are missing. It records the paths it
// was asked about.
type sectionDoctor struct {
	paths chan string
}

func (d *sectionDoctor) Examine(_ context.Context, path string) (Report, error) {
	if d.paths != nil {
		d.paths <- path
	}
	f, err := elf.Open(path)
	if err != nil {
		return Report{}, err
	}
	defer f.Close()
	var rep Report
	for _, name := range []string{".debug_info", ".debug_line"} {
		if f.Section(name) == nil {
			rep.Important = append(rep.Important, "no "+name+" section in "+path)
		}
	}
	rep.Detail = fmt.Sprintf("%s: %d sections", path, len(f.Sections))
	return rep, nil
}
