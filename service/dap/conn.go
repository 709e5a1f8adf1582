package dap

import (
	"bufio"
	"net"
	"sync"
	"time"
)

// A Listener accepts connections for Delve and wraps each in a Conn.
type Listener struct {
	net.Listener
	m *Middleware
}

// Accept waits for the next connection. It does not read from it: the
// protocol is decided on the connection's first read, so a client that
// sends nothing delays no one, and Delve checks the peer before any byte
// is read.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return l.m.Conn(c), nil
}

// A Conn is a connection as Delve sees it. Its first Read or Write peeks at
// the first byte from the peer: 'C' (a DAP Content-Length header) makes the
// Conn the Delve end of a relay; anything else makes it the connection
// itself, the peeked byte still to be read. LocalAddr and RemoteAddr are
// always the real connection's.
type Conn struct {
	net.Conn // the real connection

	m      *Middleware
	once   sync.Once
	mu     sync.Mutex
	closed bool
	inner  net.Conn // after the decision: what Read, Write and deadlines use
	relay  *session // nil unless the peer speaks DAP
	delve  delveRef // the Delve session reading this connection (BindDelve)
	err    error    // from the decision
}

// Conn wraps c, which the caller must no longer use directly.
func (m *Middleware) Conn(c net.Conn) *Conn { return &Conn{Conn: c, m: m} }

// decide peeks at the first byte once and sets inner.
func (c *Conn) decide() error {
	c.once.Do(func() {
		br := bufio.NewReaderSize(c.Conn, readerSize)
		b, err := br.Peek(1)
		c.mu.Lock()
		defer c.mu.Unlock()
		switch {
		case c.closed:
			c.err = net.ErrClosed
		case err != nil:
			c.err = err
		case b[0] != 'C':
			c.inner = &peekedConn{Conn: c.Conn, r: br}
		default:
			delve, ours := net.Pipe()
			c.inner = &addrConn{Conn: delve, real: c.Conn}
			c.relay = c.m.newSession(&peekedConn{Conn: c.Conn, r: br}, ours)
			c.relay.delve = &c.delve
			go c.relay.run()
		}
	})
	return c.err
}

func (c *Conn) Read(p []byte) (int, error) {
	if err := c.decide(); err != nil {
		return 0, err
	}
	return c.inner.Read(p)
}

func (c *Conn) Write(p []byte) (int, error) {
	if err := c.decide(); err != nil {
		return 0, err
	}
	return c.inner.Write(p)
}

// Close closes the connection, and the relay if there is one.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.relay != nil {
		c.relay.close()
		return c.inner.Close()
	}
	return c.Conn.Close()
}

func (c *Conn) target() net.Conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inner != nil {
		return c.inner
	}
	return c.Conn
}

func (c *Conn) SetDeadline(t time.Time) error      { return c.target().SetDeadline(t) }
func (c *Conn) SetReadDeadline(t time.Time) error  { return c.target().SetReadDeadline(t) }
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.target().SetWriteDeadline(t) }

// Done returns a channel closed when the relay of a DAP connection has
// stopped; for any other connection it is nil.
func (c *Conn) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.relay == nil {
		return nil
	}
	return c.relay.done
}

// peekedConn reads through the reader that peeked, so no byte is lost.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// CloseWrite half-closes the connection when it can.
func (c *peekedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return net.ErrClosed
}

// addrConn is Delve's end of the relay pipe. Delve's same-user check
// asserts that the addresses of a loopback connection are TCP addresses,
// so they are the real connection's, not the pipe's.
type addrConn struct {
	net.Conn
	real net.Conn
}

func (c *addrConn) LocalAddr() net.Addr  { return c.real.LocalAddr() }
func (c *addrConn) RemoteAddr() net.Addr { return c.real.RemoteAddr() }
