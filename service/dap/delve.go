package dap

import (
	"io"
	"sync"

	"github.com/go-delve/delve/service/debugger"
)

// A DelveSession is the part of Delve's DAP session the layer uses for the
// requests it answers itself (editor.go): its debugger, nil until a launch
// or attach request created it. Delve's *dap.Session implements it (patch
// 0012).
type DelveSession interface {
	Debugger() *debugger.Debugger
}

// delveRef holds the Delve session behind one relayed connection.
type delveRef struct {
	mu sync.Mutex
	ds DelveSession
}

func (r *delveRef) set(ds DelveSession) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ds = ds
}

func (r *delveRef) get() DelveSession {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ds
}

// BindDelve tells the layer which Delve session serves conn, the
// connection Delve was given. cmd/dlvx calls it from Delve's
// SessionStarted hook. It reports false when conn is not a Conn of the
// layer's, as for a headless server, which wraps it first: its sessions
// share the server's debugger, which ServeDelve records.
func BindDelve(conn io.ReadWriteCloser, ds DelveSession) bool {
	c, ok := conn.(*Conn)
	if ok {
		c.delve.set(ds)
	}
	return ok
}

// ServeDelve records a Delve session whose debugger serves every relayed
// session that BindDelve could not bind: a headless server has one
// debugger for all its clients.
func (m *Middleware) ServeDelve(ds DelveSession) { m.served.set(ds) }

// debugger returns the debugger behind the session, nil when there is
// none yet.
func (s *session) debugger() *debugger.Debugger {
	if s.delve != nil {
		if ds := s.delve.get(); ds != nil {
			return ds.Debugger()
		}
	}
	if ds := s.m.served.get(); ds != nil {
		return ds.Debugger()
	}
	return nil
}
