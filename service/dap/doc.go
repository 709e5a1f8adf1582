// Package dap is dlvx's Debug Adapter Protocol layer. It sits in front of
// Delve's own DAP session, in the same process, and relays the protocol
// between the client (VS Code) and Delve: messages it does not need to
// change pass through byte for byte, messages it adds keep the client's view
// of seq monotonic.
//
// # Where it sits
//
// Delve's dap command and its --headless servers accept connections from a
// listener that Middleware.Listener wraps (cmd/dlvx installs it through
// the hooks of patch 0005); dap --client-addr's connection is wrapped by
// Middleware.Conn. Each connection is a Conn that decides what it carries on the first read: a
// first byte 'C' (DAP's Content-Length header) starts a relay; anything else
// is JSON-RPC and reaches Delve untouched, the peeked byte included. For a
// relay, Delve reads and writes one end of a net.Pipe whose addresses are
// the real connection's, so Delve's same-user check sees the real peer.
//
// # What it does not do
//
// The package only speaks the protocol. What it tells the user about a
// binary, a launch request or an unbound breakpoint comes from a Doctor, a
// RequestLinter and a BreakpointExplainer installed by cmd/dlvx; the
// analysis packages (dwarfcheck, launchcheck, resolver) never import this
// one. The layer only finds the
// executable (a launch's program, /proc/PID/exe of a local attach or of
// Delve's process event, Middleware.ServedBinary for a remote attach) and
// passes the explainer the session's substitutePath (PathRules) and,
// under Delve's target lock, the BinaryInfo Delve loaded (BinaryInfo), and
// the doctor the causes already shown (Shown): one message per cause. For
// a client that reports progress, it reports Delve's build or load of a
// launch or attach (progress.go).
//
// # Editor features
//
// With the Delve session behind a connection (BindDelve, from the hook of
// patch 0012), the layer adds what Delve's DAP server lacks (editor.go):
// a line breakpoint on a line without a statement moves to the next
// statement of the same function, with the reason in its message
// (linemove.go; the launch attribute dlvxMoveBreakpoints: false turns it
// off); breakpointLocations; Set Next Statement (goto.go); Step Into
// Target (stepin.go); Debug Console completions (completions.go). It
// advertises them in the initialize response only then.
//
// # Goroutines
//
// Per DAP connection there are two relay goroutines, plus the ones Delve
// runs for its session on the pipe:
//
//  1. The client reader reads a frame from the real connection, inspects it
//     and writes it to the pipe. It blocks on the client, and on Delve
//     while Delve is not reading (net.Pipe has no buffer). Work done
//     before a request is forwarded (the lint at launch, attach and
//     restart, the doctor at launch and attach) runs here, so Delve sees
//     the request only after it.
//  2. The adapter reader reads a frame Delve wrote to the pipe, renumbers
//     its seq and writes it to the client. It blocks on Delve, and on the
//     client while the client is not reading.
//
// While Delve has not answered a local attach, a timer of the
// AttachGuard's StopTimeout runs on its own goroutine; when the guard finds
// the attach stuck, that goroutine answers the attach request, drains the
// client and lets the guard end the process (Delve's attach cannot be
// interrupted). An attach the Doctor refuses is answered by the client
// reader and never reaches Delve.
//
// Messages the layer adds are written to the client by whichever goroutine
// produces them (Middleware.Notify writes from the caller's: Delve's, for
// the resolver's notices while a breakpoint is set), under the same lock that assigns seq, so the client sees
// seq strictly increasing in wire order. When either goroutine fails (read
// or write error, malformed frame) it closes both the client connection and
// the pipe, which unblocks the other goroutine and Delve; Delve then sees
// the end of its connection, as it would for a client that went away.
package dap
