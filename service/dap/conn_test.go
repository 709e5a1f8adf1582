package dap

import (
	"bytes"
	"io"
	"net"
	"testing"
)

// acceptConn accepts one connection through m's listener wrapper.
func acceptConn(t *testing.T, m *Middleware) (client net.Conn, delve *Conn) {
	t.Helper()
	l := m.Listener(listenLoopback(t))
	ch := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			t.Error(err)
		}
		ch <- c
	}()
	client, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := <-ch
	if c == nil {
		t.FailNow()
	}
	delve = c.(*Conn)
	t.Cleanup(func() {
		client.Close()
		delve.Close()
		if done := delve.Done(); done != nil {
			<-done
		}
	})
	return client, delve
}

// JSON-RPC reaches Delve byte for byte, the peeked byte included, and
// Delve's replies reach the client unchanged.
func TestConnPassesJSONRPCThrough(t *testing.T) {
	client, delve := acceptConn(t, &Middleware{})
	req := []byte(`{"method":"RPCServer.State","params":[{"NonBlocking":true}],"id":0}` + "\n")
	write(t, client, req)
	got := make([]byte, len(req))
	if _, err := io.ReadFull(delve, got); err != nil || !bytes.Equal(got, req) {
		t.Fatalf("Delve read %q, %v; want %q", got, err, req)
	}
	reply := []byte(`{"id":0,"result":{"State":{}},"error":null}` + "\n")
	write(t, delve, reply)
	got = make([]byte, len(reply))
	if _, err := io.ReadFull(client, got); err != nil || !bytes.Equal(got, reply) {
		t.Fatalf("client read %q, %v; want %q", got, err, reply)
	}
	if delve.Done() != nil {
		t.Error("a JSON-RPC connection must not start a relay")
	}
}

// A DAP connection is relayed; Delve's end reports the real addresses,
// which its same-user check asserts are TCP addresses.
func TestConnRelaysDAP(t *testing.T) {
	client, delve := acceptConn(t, &Middleware{})
	init := `{"seq":1,"type":"request","command":"initialize","arguments":{}}`
	write(t, client, frame(init))
	fr := newFrameReader(delve, "delve")
	if got := readFrame(t, fr); string(got) != init {
		t.Fatalf("Delve read %s, want %s", got, init)
	}
	if delve.Done() == nil {
		t.Fatal("a DAP connection must start a relay")
	}
	if _, ok := delve.RemoteAddr().(*net.TCPAddr); !ok || delve.RemoteAddr().String() != client.LocalAddr().String() {
		t.Errorf("Delve's RemoteAddr = %v, want the client's TCP address %v", delve.RemoteAddr(), client.LocalAddr())
	}
	if _, ok := delve.LocalAddr().(*net.TCPAddr); !ok {
		t.Errorf("Delve's LocalAddr = %T, want *net.TCPAddr", delve.LocalAddr())
	}
	// Delve closing its connection ends the relay and the client's.
	delve.Close()
	<-delve.Done()
	expectEOF(t, newFrameReader(client, "client"))
}

// Closing a connection before anything was read fails the pending read.
func TestConnCloseBeforeFirstByte(t *testing.T) {
	_, delve := acceptConn(t, &Middleware{})
	errc := make(chan error, 1)
	go func() {
		_, err := delve.Read(make([]byte, 1))
		errc <- err
	}()
	delve.Close()
	if err := <-errc; err == nil {
		t.Fatal("Read after Close succeeded")
	}
}
