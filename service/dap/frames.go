package dap

import (
	"fmt"

	godap "github.com/google/go-dap"
)

// rememberTrace keeps a stackTrace request's goroutine and first frame
// for its response: Delve's frame ids say neither.
func (s *session) rememberTrace(content []byte) {
	msg, err := godap.DecodeProtocolMessage(content)
	if err != nil {
		return
	}
	req, ok := msg.(*godap.StackTraceRequest)
	if !ok {
		return
	}
	s.ed.mu.Lock()
	defer s.ed.mu.Unlock()
	if s.ed.traces == nil {
		s.ed.traces = map[int]traceRequest{}
	}
	s.ed.traces[req.Seq] = traceRequest{goroutine: req.Arguments.ThreadId, start: req.Arguments.StartFrame}
}

// rememberFrames records the goroutine and depth of every frame id a
// stackTrace response gives.
func (s *session) rememberFrames(requestSeq int, content []byte) {
	s.ed.mu.Lock()
	defer s.ed.mu.Unlock()
	tr, ok := s.ed.traces[requestSeq]
	delete(s.ed.traces, requestSeq)
	if !ok {
		return
	}
	msg, err := godap.DecodeProtocolMessage(content)
	if err != nil {
		return
	}
	resp, ok := msg.(*godap.StackTraceResponse)
	if !ok {
		return
	}
	if s.ed.frames == nil {
		s.ed.frames = map[int]frameRef{}
	}
	for i, f := range resp.Body.StackFrames {
		s.ed.frames[f.Id] = frameRef{goroutine: int64(tr.goroutine), depth: tr.start + i}
	}
}

// frame returns the goroutine and depth of a frame id; frame id 0 (none
// given) is the selected goroutine's top frame.
func (s *session) frame(id int) (frameRef, error) {
	if id == 0 {
		return frameRef{goroutine: -1}, nil
	}
	s.ed.mu.Lock()
	defer s.ed.mu.Unlock()
	f, ok := s.ed.frames[id]
	if !ok {
		return frameRef{}, &RefusedError{ErrIDEditorRequest, fmt.Sprintf("unknown frame %d: the program ran since the call stack was shown", id)}
	}
	return f, nil
}
