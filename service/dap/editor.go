package dap

import (
	"encoding/json"
	"errors"
	"sync"

	"github.com/go-delve/delve/service/debugger"
	godap "github.com/google/go-dap"
)

// The editor features: what the layer adds to Delve's protocol for an
// editor, with the session's debugger (DelveSession):
//
//   - line breakpoints on a line without a statement move to the next
//     statement of the same function (linemove.go), and breakpointLocations
//     lists the lines that hold one;
//   - gotoTargets and goto, Set Next Statement (goto.go);
//   - stepInTargets and stepIn with a target, Step Into Target (stepin.go);
//   - completions in the Debug Console (completions.go).
//
// Delve 1.27.2 answers none of these requests ("unsupported"), so the
// layer answers them itself, and advertises them in the initialize
// response only when it has a Delve session to answer them with. Requests
// are answered one at a time on a goroutine of their own, and reach the
// debugger only while the target is stopped; the rewrites of
// setBreakpoints and stepIn happen on the client reader, which waits for
// Delve's target lock a bounded time (tryLockTarget). The adapter reader
// takes that lock only to explain the unverified breakpoints of a
// setBreakpoints response (breakpoints.go), with the same bound, so that
// Delve's later messages wait at most lockWait.

// editor is a session's state for the editor features. Frames, goto and
// step-in targets are valid until the target runs again.
type editor struct {
	run        sync.Mutex // serialises the requests the layer answers
	mu         sync.Mutex
	noMove     bool                 // launch attribute "dlvxMoveBreakpoints": false
	mode       string               // the launch or attach mode: "core" cannot move a PC
	traces     map[int]traceRequest // stackTrace requests by seq
	frames     map[int]frameRef     // stackTrace frame id → goroutine and depth
	gotos      map[int]gotoTarget   // by target id
	stepIns    map[int]stepInTarget // by target id
	nextID     int                  // last target id given
	step       *stepInto            // a Step Into Target under way
	done       *stepInto            // a finished one to clean up
	dropNotice bool                 // drop Delve's "Step interrupted" notice of done
	lines      linesCache           // line tables of the debugger's binary
	moves      map[int][]lineMove   // setBreakpoints seq → its moves
}

// traceRequest is what a stackTrace response needs from its request.
type traceRequest struct{ goroutine, start int }

// frameRef is a stack frame as Delve numbered it for the client.
type frameRef struct {
	goroutine int64
	depth     int
}

// editorCommands are the requests the layer answers itself.
var editorCommands = map[string]func(*session, godap.Message) error{
	"breakpointLocations": (*session).onBreakpointLocations,
	"gotoTargets":         (*session).onGotoTargets,
	"goto":                (*session).onGoto,
	"stepInTargets":       (*session).onStepInTargets,
	"completions":         (*session).onCompletions,
}

// editorEnabled reports whether the layer can answer the editor requests:
// a Delve session is bound to this connection or served by the server.
func (s *session) editorEnabled() bool {
	if s.delve != nil && s.delve.get() != nil {
		return true
	}
	return s.m.served.get() != nil
}

// editorRequest answers a request the layer handles itself and reports
// whether it did; otherwise it may return a rewritten request to forward.
func (s *session) editorRequest(env envelope, content []byte) (forward []byte, answered bool) {
	s.finishStep()
	if !s.editorEnabled() {
		return content, false
	}
	switch env.Command {
	case "stackTrace":
		s.rememberTrace(content)
		return content, false
	case "setBreakpoints":
		return s.moveBreakpoints(content), false
	case "stepIn":
		return s.stepInto(content), false
	case "launch", "attach":
		s.readLaunchSettings(content)
		return content, false
	}
	h, ok := editorCommands[env.Command]
	if !ok {
		return content, false
	}
	msg, err := godap.DecodeProtocolMessage(content)
	if err != nil {
		return content, false // Delve answers it with its own error
	}
	// Answered off the client reader, one at a time: a request that waits
	// for Delve's target lock (the target started running) must not hold
	// up the client's later requests, a pause among them.
	go func() {
		s.ed.run.Lock()
		defer s.ed.run.Unlock()
		if err := h(s, msg); err != nil {
			s.refuse(msg, err)
		}
	}()
	return nil, true
}

// editorResponse acts on Delve's message before it reaches the client;
// nil drops it.
func (s *session) editorResponse(env envelope, content []byte) []byte {
	if !s.editorEnabled() {
		return content
	}
	switch {
	case env.Type == "response" && env.Command == "initialize" && env.Success:
		return addCapabilities(content)
	case env.Type == "response" && env.Success && (env.Command == "launch" || env.Command == "attach" || env.Command == "restart"):
		s.ed.lines.reset()
		s.withdrawCapabilities()
	case env.Type == "response" && env.Command == "setBreakpoints":
		return s.annotateMoves(int(env.RequestSeq), content)
	case env.Type == "response" && env.Command == "stackTrace" && env.Success:
		s.rememberFrames(int(env.RequestSeq), content)
	case env.Type == "response" && env.Command == "next":
		return s.stepIntoAnswered(int(env.RequestSeq), content)
	case env.Type == "event" && (env.Event == "stopped" || env.Event == "continued"):
		s.forgetStop()
		if env.Event == "stopped" {
			return s.stepIntoStopped(content)
		}
	case env.Type == "event" && env.Event == "output":
		return s.stepIntoOutput(content)
	}
	return content
}

// addCapabilities adds the editor requests to an initialize response.
func addCapabilities(content []byte) []byte {
	var resp godap.InitializeResponse
	if err := json.Unmarshal(content, &resp); err != nil {
		return content
	}
	resp.Body.SupportsBreakpointLocationsRequest = true
	resp.Body.SupportsGotoTargetsRequest = true
	resp.Body.SupportsStepInTargetsRequest = true
	resp.Body.SupportsCompletionsRequest = true
	out, err := json.Marshal(&resp)
	if err != nil {
		return content
	}
	return out
}

// withdrawCapabilities tells the client, after a launch of a core file
// or an rr recording, which editor requests cannot work there: a core
// file's registers cannot be written, nor can a recording's.
func (s *session) withdrawCapabilities() {
	s.ed.mu.Lock()
	mode := s.ed.mode
	s.ed.mu.Unlock()
	caps := map[string]bool{}
	switch mode {
	case "core":
		caps["supportsGotoTargetsRequest"], caps["supportsStepInTargetsRequest"] = false, false
	case "replay":
		caps["supportsGotoTargetsRequest"] = false
	default:
		return
	}
	ev := map[string]any{"seq": 0, "type": "event", "event": "capabilities", "body": map[string]any{"capabilities": caps}}
	if err := s.send(&rawMessage{ev}); err != nil {
		s.m.logf("dlvx dap: send capabilities: %v", err)
	}
}

// forgetStop drops what was valid only until the target ran.
func (s *session) forgetStop() {
	s.ed.mu.Lock()
	defer s.ed.mu.Unlock()
	s.ed.frames, s.ed.gotos, s.ed.stepIns = nil, nil, nil
}

// A RefusedError is an editor request the layer declines, with the reason
// shown to the user.
type RefusedError struct {
	ID     ErrorID
	Reason string
}

func (e *RefusedError) Error() string { return e.Reason }

// errNotStopped refuses a request that needs a stopped program.
var errNotStopped = &RefusedError{ErrIDNotStopped, "the program is running: pause it or wait for a breakpoint first"}

// stoppedDebugger returns the session's debugger when the target is
// stopped, else a *RefusedError.
func (s *session) stoppedDebugger() (*debugger.Debugger, error) {
	d := s.debugger()
	if d == nil {
		return nil, &RefusedError{ErrIDNotStopped, "no program is being debugged yet: launch or attach first"}
	}
	if d.IsRunning() {
		return nil, errNotStopped
	}
	return d, nil
}

// reply sends a successful response to req with body (nil for none).
func (s *session) reply(req godap.Message, body any) {
	r := req.(godap.RequestMessage).GetRequest()
	resp := struct {
		godap.Response
		Body any `json:"body,omitempty"`
	}{Response: godap.Response{ProtocolMessage: godap.ProtocolMessage{Type: "response"}, Command: r.Command, RequestSeq: r.Seq, Success: true}, Body: body}
	if err := s.send(&rawMessage{resp}); err != nil {
		s.m.logf("dlvx dap: reply to %s: %v", r.Command, err)
	}
}

// refuse sends an error response to req that shows err to the user.
func (s *session) refuse(req godap.Message, err error) {
	r := req.(godap.RequestMessage).GetRequest()
	id := ErrIDEditorRequest
	var re *RefusedError
	if errors.As(err, &re) {
		id = re.ID
	}
	resp := &godap.ErrorResponse{
		Response: godap.Response{ProtocolMessage: godap.ProtocolMessage{Type: "response"}, Command: r.Command, RequestSeq: r.Seq, Message: "dlvx: " + err.Error()},
		Body:     godap.ErrorResponseBody{Error: &godap.ErrorMessage{Id: int(id), Format: "dlvx: " + err.Error(), ShowUser: true}},
	}
	if err := s.send(resp); err != nil {
		s.m.logf("dlvx dap: refuse %s: %v", r.Command, err)
	}
}

// rawMessage lets send marshal a value that is not a go-dap type.
type rawMessage struct{ v any }

func (m *rawMessage) GetSeq() int { return 0 }

func (m *rawMessage) MarshalJSON() ([]byte, error) { return json.Marshal(m.v) }

// newTargetID returns the next goto or step-in target id; ids are unique
// in a session so that a stale one is never taken for a new one.
func (s *session) newTargetID() int {
	s.ed.nextID++
	return s.ed.nextID
}
