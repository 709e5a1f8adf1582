package dap

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/dlvx/dlvx/resolver"
	"github.com/go-delve/delve/pkg/proc"
	godap "github.com/google/go-dap"
)

// pendingBreakpoints remembers the client's setBreakpoints and
// setFunctionBreakpoints requests until Delve answers them: a response
// lists its breakpoints in the order of the request, without the
// locations the client asked for.
type pendingBreakpoints struct {
	mu   sync.Mutex
	reqs map[int]godap.Message // by request seq
}

func (p *pendingBreakpoints) put(seq int, req godap.Message) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.reqs == nil {
		p.reqs = make(map[int]godap.Message)
	}
	p.reqs[seq] = req
}

func (p *pendingBreakpoints) take(seq int) godap.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	req := p.reqs[seq]
	delete(p.reqs, seq)
	return req
}

// isBreakpointCommand reports whether the layer explains the unverified
// breakpoints of command's responses.
func isBreakpointCommand(command string) bool {
	return command == "setBreakpoints" || command == "setFunctionBreakpoints"
}

// rememberBreakpoints keeps a breakpoint request for its response.
func (s *session) rememberBreakpoints(content []byte) {
	if s.m.Explainer == nil {
		return
	}
	msg, err := godap.DecodeProtocolMessage(content)
	if err != nil {
		return // Delve answers it with its own error
	}
	s.pending.put(msg.GetSeq(), msg)
}

// explainBreakpoints returns content with the message of every unverified
// breakpoint prefixed by the explainer's verdict, or content itself when
// there is nothing to add. Delve's text is kept after the verdict.
func (s *session) explainBreakpoints(requestSeq int, content []byte) []byte {
	req := s.pending.take(requestSeq)
	binary := s.target.Binary()
	if req == nil || binary == "" {
		return content
	}
	msg, err := godap.DecodeProtocolMessage(content)
	if err != nil {
		return content
	}
	var bps []godap.Breakpoint
	switch resp := msg.(type) {
	case *godap.SetBreakpointsResponse:
		bps = resp.Body.Breakpoints
	case *godap.SetFunctionBreakpointsResponse:
		bps = resp.Body.Breakpoints
	}
	changed := false
	var ask []int // the unverified breakpoints the explainer is asked about
	for i := range bps {
		if bps[i].Verified {
			continue
		}
		if msg, ok := ownLocationMessage(req, i, bps[i].Message); ok {
			bps[i].Message, changed = msg, true
			continue
		}
		ask = append(ask, i)
	}
	explainAll := func(ctx context.Context) {
		for _, i := range ask {
			why, err := s.explain(ctx, req, i, binary)
			if err != nil {
				s.m.logf("dlvx dap: explain breakpoint %d: %v", i, err)
			}
			if why != "" {
				bps[i].Message = joinMessage(why, bps[i].Message)
				changed = true
			}
		}
	}
	ctx := withPathRules(context.Background(), s.target.Rules())
	// From the tables Delve loaded for the session, under its target lock;
	// without them (the target runs), the explainer loads its own.
	if len(ask) > 0 && !s.withBinInfo(func(bi *proc.BinaryInfo) { explainAll(WithBinaryInfo(ctx, bi)) }) {
		s.startProgress(requestSeq, "Reading the debug info of "+filepath.Base(binary), "for the breakpoint verdicts")
		explainAll(ctx)
		s.endProgress(requestSeq)
	}
	if !changed {
		return content
	}
	out, err := json.Marshal(msg)
	if err != nil {
		return content
	}
	return out
}

// explain asks the explainer about breakpoint i of req.
func (s *session) explain(ctx context.Context, req godap.Message, i int, binary string) (string, error) {
	switch req := req.(type) {
	case *godap.SetBreakpointsRequest:
		if i < len(req.Arguments.Breakpoints) && req.Arguments.Source.Path != "" {
			return s.m.Explainer.ExplainLine(ctx, binary, req.Arguments.Source.Path, req.Arguments.Breakpoints[i].Line)
		}
	case *godap.SetFunctionBreakpointsRequest:
		if i < len(req.Arguments.Breakpoints) {
			return s.m.Explainer.ExplainFunction(ctx, binary, req.Arguments.Breakpoints[i].Name)
		}
	}
	return "", nil
}

// ownLocationMessage returns the message of function breakpoint i of req
// led by "dlvx: " when its name is one of dlvx's locations (SYMBOL+OFF,
// preempt:HOOK): Delve's message then carries dlvx's resolver's refusal
// (an offset inside an instruction, an unknown hook), which speaks for
// dlvx like the layer's other messages. ok is false for other breakpoints.
func ownLocationMessage(req godap.Message, i int, msg string) (string, bool) {
	r, ok := req.(*godap.SetFunctionBreakpointsRequest)
	if !ok || i >= len(r.Arguments.Breakpoints) || msg == "" {
		return "", false
	}
	if spec, err := resolver.Parse(r.Arguments.Breakpoints[i].Name); spec == nil && err == nil {
		return "", false
	}
	if strings.HasPrefix(msg, "dlvx: ") {
		return msg, true
	}
	return "dlvx: " + msg, true
}

// joinMessage puts the layer's verdict before Delve's text. A line of the
// verdict that only repeats Delve's text (an explainer quoting Delve's
// error as evidence) is left out: the text follows anyway.
func joinMessage(why, delve string) string {
	if delve == "" {
		return why
	}
	var kept []string
	for line := range strings.SplitSeq(why, "\n") {
		if strings.TrimSpace(line) != strings.TrimSpace(delve) {
			kept = append(kept, line)
		}
	}
	return fmt.Sprintf("%s\n%s", strings.Join(kept, "\n"), delve)
}
