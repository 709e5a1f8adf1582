package dap

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	godap "github.com/google/go-dap"
)

// A session relays one DAP connection. See the package documentation for
// its goroutines.
type session struct {
	m       *Middleware
	client  net.Conn // the real connection
	adapter net.Conn // the layer's end of the pipe to Delve

	wmu sync.Mutex // orders writes to the client and numbering
	seq seqMap

	closeOnce sync.Once
	errMu     sync.Mutex
	err       error         // first error that ended the session
	done      chan struct{} // closed when both relay goroutines returned

	target   target             // what is being debugged, once known
	pending  pendingBreakpoints // breakpoint requests Delve has not answered
	delve    *delveRef          // the Delve session behind a Conn; nil for Serve
	ed       editor             // the editor features' state (editor.go)
	core     coreVerdict        // the core doctor's cause, for a core launch's response
	launched json.RawMessage    // the launch request's arguments, for the restart lint
	attach   pendingAttach      // the local attach Delve has not answered
	shown    causeSet           // the causes the session's reports showed
	progress progress           // the progress events the layer sends (progress.go)
}

func (m *Middleware) newSession(client, adapter net.Conn) *session {
	return &session{m: m, client: client, adapter: adapter, done: make(chan struct{})}
}

// run relays until either direction stops, and returns when both have.
func (s *session) run() {
	s.m.live.add(s)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.stop(s.fromClient()) }()
	go func() { defer wg.Done(); s.stop(s.fromAdapter()) }()
	wg.Wait()
	s.m.live.remove(s)
	s.ed.lines.reset()
	if s.err != nil {
		s.m.logf("dlvx dap: %v", s.err)
	}
	close(s.done)
}

// stop records err if it is the first and closes both sides, which
// unblocks the other direction and Delve.
func (s *session) stop(err error) {
	s.errMu.Lock()
	if s.err == nil && err != nil {
		s.err = err
	}
	s.errMu.Unlock()
	s.close()
}

func (s *session) close() {
	s.closeOnce.Do(func() {
		s.client.Close()
		s.adapter.Close()
	})
}

// fromClient forwards the client's frames to Delve.
func (s *session) fromClient() error {
	fr := newFrameReader(s.client, "client")
	for {
		content, err := fr.next()
		if err != nil {
			return s.readFailed(err, fr.offset)
		}
		env, err := decodeEnvelope(content)
		if err != nil {
			return s.malformed(&FrameError{From: "client", Offset: fr.start, Err: err})
		}
		if content, err = s.fromClientMessage(env, content); err != nil {
			return err
		}
		if content == nil {
			continue // the layer answered it
		}
		if err := writeFrame(s.adapter, content); err != nil {
			return s.writeFailed("adapter", err)
		}
	}
}

// fromAdapter forwards Delve's frames to the client, renumbered.
func (s *session) fromAdapter() error {
	fr := newFrameReader(s.adapter, "adapter")
	fr.max = MaxAdapterContent
	for {
		content, err := fr.next()
		if err != nil {
			return s.readFailed(err, fr.offset)
		}
		env, err := decodeEnvelope(content)
		if err != nil {
			return s.malformed(&FrameError{From: "adapter", Offset: fr.start, Err: err})
		}
		if content = s.fromAdapterMessage(env, content); content == nil {
			continue // the layer dropped it
		}
		if err := s.sendRaw(content, *env.Seq, env.Type == "request"); err != nil {
			return err
		}
	}
}

// fromClientMessage acts on a client message before it is forwarded and
// returns the bytes to forward, nil for a request the layer answered.
func (s *session) fromClientMessage(env envelope, content []byte) ([]byte, error) {
	switch {
	case env.Type == "response":
		s.wmu.Lock()
		seq, ok := s.seq.toAdapter(env.RequestSeq)
		s.wmu.Unlock()
		if ok {
			return setTopLevelInt(content, "request_seq", seq)
		}
	case env.Type == "request" && (env.Command == "launch" || env.Command == "attach"):
		s.lint(env.Command, content)
		args, refusal := s.startTarget(env.Command, content)
		if refusal != "" {
			return nil, s.fail(*env.Seq, env.Command, ErrIDAttachRefused, refusal)
		}
		s.launchProgress(int(*env.Seq), env.Command, args)
		if env.Command == "attach" {
			s.watchAttach(*env.Seq, args)
		}
	case env.Type == "request" && env.Command == "initialize":
		s.readProgressCapability(content)
	case env.Type == "request" && env.Command == "restart":
		s.lint(env.Command, content)
		s.startProgress(int(*env.Seq), "Restarting", restartMessage(s.launched))
		s.restartRequested(content)
	case env.Type == "request" && isBreakpointCommand(env.Command):
		s.rememberBreakpoints(content)
	}
	if env.Type == "request" {
		content, _ = s.editorRequest(env, content)
	}
	return content, nil
}

// fromAdapterMessage acts on a message of Delve's before it is forwarded
// and returns the bytes to forward, nil to drop it (Delve's late answer to
// an attach the layer gave up).
func (s *session) fromAdapterMessage(env envelope, content []byte) []byte {
	if env.Type == "response" && (env.Command == "launch" || env.Command == "attach" || env.Command == "restart") {
		s.endProgress(int(env.RequestSeq))
	}
	switch {
	case env.Type == "event" && env.Event == "process":
		s.processStarted(content)
	case env.Type == "event" && env.Event == "initialized":
		s.restarted()
	case env.Type == "response" && isBreakpointCommand(env.Command):
		content = s.explainBreakpoints(int(env.RequestSeq), content)
	case env.Type == "response" && env.Command == "launch":
		content = s.explainLaunch(content)
	case env.Type == "response" && env.Command == "attach" && s.attachAnswered(env.RequestSeq):
		return nil
	case s.isDuplicateWarning(env, content):
		return nil
	}
	return s.editorResponse(env, content)
}

// readFailed turns the end of a direction's stream into the session's
// result: a clean end between frames is not an error.
func (s *session) readFailed(err error, offset int64) error {
	switch {
	case errors.Is(err, ErrMalformed):
		return s.malformed(err)
	case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed), errors.Is(err, io.ErrClosedPipe):
		return nil
	}
	return fmt.Errorf("read at offset %d: %w", offset, err)
}

func (s *session) writeFailed(to string, err error) error {
	if errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrClosedPipe) {
		return nil
	}
	return fmt.Errorf("write to %s: %w", to, err)
}

// malformed tells the client why the connection is closing and returns
// err, which ends the session. A client that sent garbage may still be
// sending: closing a TCP connection with unread input resets it and can
// destroy the explanation in flight, so the layer first half-closes and
// drains what the client sends, within a bound.
func (s *session) malformed(err error) error {
	s.output("important", fmt.Sprintf("dlvx: closing the connection: %v (%v)\n", err, ErrIDMalformedFrame))
	var fe *FrameError
	if errors.As(err, &fe) && fe.From == "client" {
		drain(s.client)
	}
	return err
}

// drainLimit and drainTime bound what drain reads and how long it waits.
const (
	drainLimit = 8 << 20
	drainTime  = time.Second
)

// drain half-closes c, if it can, and discards its input until the peer
// closes, drainLimit bytes or drainTime.
func drain(c net.Conn) {
	cw, ok := c.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	c.SetReadDeadline(time.Now().Add(drainTime))
	io.Copy(io.Discard, io.LimitReader(c, drainLimit))
}

// sendRaw writes a message to the client with the next seq. adapterSeq is
// the seq Delve gave it, 0 for a message the layer made.
func (s *session) sendRaw(content []byte, adapterSeq int64, isRequest bool) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	seq, rewrite := s.seq.toClient(adapterSeq, isRequest)
	if rewrite {
		var err error
		if content, err = setTopLevelInt(content, "seq", seq); err != nil {
			return err
		}
	}
	if err := writeFrame(s.client, content); err != nil {
		return s.writeFailed("client", err)
	}
	return nil
}

// send writes a message the layer made.
func (s *session) send(msg godap.Message) error {
	content, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("encode %T: %w", msg, err)
	}
	return s.sendRaw(content, 0, false)
}

// output sends an output event; errors end the session on the next read.
func (s *session) output(category, text string) {
	ev := &godap.OutputEvent{
		Event: godap.Event{ProtocolMessage: godap.ProtocolMessage{Type: "event"}, Event: "output"},
		Body:  godap.OutputEventBody{Category: category, Output: text},
	}
	if err := s.send(ev); err != nil {
		s.m.logf("dlvx dap: send output: %v", err)
	}
}
