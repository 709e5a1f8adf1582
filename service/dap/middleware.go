package dap

import (
	"log"
	"net"
)

// A Middleware holds what every relayed session uses. The zero value
// relays without adding anything.
type Middleware struct {
	// Doctor, if set, examines the binary of a launch or attach; its
	// findings become output events before Delve sees the request, and
	// its Refusal answers an attach instead of Delve.
	Doctor Doctor
	// CoreDoctor, if set, examines the core file and executable of a
	// "mode": "core" launch instead of Doctor, and adds its cause to
	// Delve's error when the core does not load.
	CoreDoctor CoreDoctor

	// Linter, if set, judges the arguments of a launch or attach; its
	// findings become output events before the doctor's and before Delve
	// sees the request.
	Linter RequestLinter
	// Explainer, if set, prefixes the message of every unverified
	// breakpoint in setBreakpoints and setFunctionBreakpoints responses
	// with its verdict.
	Explainer BreakpointExplainer
	// ServedBinary, if set, names the executable of the process a
	// headless server already debugs, "" when there is none. A remote
	// attach names no executable: the doctor examines this one.
	ServedBinary func() string
	// AttachGuard, if set, bounds the wait for Delve's answer to a local
	// attach.
	AttachGuard AttachGuard
	// Log, if set, receives the errors that end a session.
	Log *log.Logger

	live   sessions // being relayed, for Notify
	served delveRef // a headless server's session (ServeDelve)
}

// Listener wraps l so that each accepted connection is a Conn.
func (m *Middleware) Listener(l net.Listener) *Listener { return &Listener{Listener: l, m: m} }

// Serve relays DAP between client and adapter until either side ends or
// fails, then closes both. It returns nil when the client or the adapter
// closed its connection between frames, and the first error otherwise.
func (m *Middleware) Serve(client, adapter net.Conn) error {
	s := m.newSession(client, adapter)
	s.run()
	return s.err
}

func (m *Middleware) logf(format string, args ...any) {
	if m.Log != nil {
		m.Log.Printf(format, args...)
	}
}
