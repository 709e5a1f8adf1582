package dap

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/dlvx/dlvx/breakcheck"
	"github.com/dlvx/dlvx/srcpath"
	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/debugger"
	godap "github.com/google/go-dap"
)

// MoveBreakpointsAttr is the launch and attach attribute that, false,
// keeps line breakpoints where the user put them (unverified on a line
// without a statement) instead of moving them to the next statement.
const MoveBreakpointsAttr = "dlvxMoveBreakpoints"

// A lineMove is one breakpoint of a setBreakpoints request the layer moved.
type lineMove struct {
	index    int // in the request's breakpoints
	from, to int
	reason   string
}

// linesCache holds the line tables of the debugger's binary: Delve's own
// BinaryInfo, read without a second copy (breakcheck.Lines).
type linesCache struct {
	mu    sync.Mutex
	bi    *proc.BinaryInfo
	lines *breakcheck.Lines
}

// reset forgets the tables: a launch, attach or restart may load another
// binary.
func (c *linesCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lines != nil {
		c.lines.Close()
	}
	c.bi, c.lines = nil, nil
}

// lockWait bounds how long a rewrite on the client reader waits for
// Delve's target lock: Delve holds it while the target runs, and the
// client's request must not wait for the next breakpoint.
const lockWait = 200 * time.Millisecond

// tryLockTarget takes the debugger's target lock, which every use of
// Delve's BinaryInfo needs (its line tables cache state machines as they
// are read), waiting at most wait. On timeout the lock is released as
// soon as it is obtained.
func tryLockTarget(d *debugger.Debugger, wait time.Duration) (*proc.TargetGroup, func(), bool) {
	type locked struct {
		grp    *proc.TargetGroup
		unlock func()
	}
	ch := make(chan locked, 1)
	go func() {
		grp, unlock := d.LockTargetGroup()
		ch <- locked{grp, unlock}
	}()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case l := <-ch:
		return l.grp, l.unlock, true
	case <-t.C:
		go func() { (<-ch).unlock() }()
		return nil, nil, false
	}
}

// withLines runs f with the line tables of the session's binary, under
// Delve's target lock; it reports false, without running f, when there
// is no binary yet or the target is running.
func (s *session) withLines(f func(*breakcheck.Lines)) bool {
	ran := false
	s.withBinInfo(func(bi *proc.BinaryInfo) {
		c := &s.ed.lines
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.lines == nil || c.bi != bi {
			if c.lines != nil {
				c.lines.Close()
			}
			lines, err := breakcheck.NewLines(bi)
			if err != nil {
				s.m.logf("dlvx dap: line tables: %v", err)
				c.bi, c.lines = nil, nil
				return
			}
			c.bi, c.lines = bi, lines
		}
		f(c.lines)
		ran = true
	})
	return ran
}

// readLaunchSettings reads MoveBreakpointsAttr and the mode from a
// launch or attach.
func (s *session) readLaunchSettings(content []byte) {
	var req struct {
		Arguments map[string]json.RawMessage `json:"arguments"`
	}
	if json.Unmarshal(content, &req) != nil {
		return
	}
	s.ed.mu.Lock()
	defer s.ed.mu.Unlock()
	var move bool
	if raw, ok := req.Arguments[MoveBreakpointsAttr]; ok && json.Unmarshal(raw, &move) == nil {
		s.ed.noMove = !move
	}
	json.Unmarshal(req.Arguments["mode"], &s.ed.mode)
}

// moveBreakpoints rewrites a setBreakpoints request so that a breakpoint
// on a line without a statement asks Delve for the next statement line of
// the same function; the response then carries that line (the editor
// moves the breakpoint) and annotateMoves says why. Lines outside every
// function are left as asked: Delve refuses them and the explainer says
// why.
func (s *session) moveBreakpoints(content []byte) []byte {
	s.ed.mu.Lock()
	noMove := s.ed.noMove
	s.ed.mu.Unlock()
	if noMove {
		return content
	}
	msg, err := godap.DecodeProtocolMessage(content)
	if err != nil {
		return content
	}
	req, ok := msg.(*godap.SetBreakpointsRequest)
	if !ok || req.Arguments.Source.Path == "" || len(req.Arguments.Breakpoints) == 0 {
		return content
	}
	file := srcpath.Apply(req.Arguments.Source.Path, s.target.Rules())
	asked := map[int]bool{}
	for _, bp := range req.Arguments.Breakpoints {
		asked[bp.Line] = true
	}
	var moves []lineMove
	// While the target runs, Delve's line tables are in use: the
	// breakpoints go as asked, and the unverified ones are explained.
	s.withLines(func(lines *breakcheck.Lines) {
		for i, bp := range req.Arguments.Breakpoints {
			p := lines.Place(file, req.Arguments.Source.Path, bp.Line)
			if !p.Moved(bp.Line) || asked[p.Line] {
				continue // a breakpoint already there says it all
			}
			asked[p.Line] = true
			moves = append(moves, lineMove{index: i, from: bp.Line, to: p.Line, reason: p.Reason})
		}
	})
	if len(moves) == 0 {
		return content
	}
	out, err := rewriteLines(content, moves)
	if err != nil {
		return content
	}
	s.ed.mu.Lock()
	if s.ed.moves == nil {
		s.ed.moves = map[int][]lineMove{}
	}
	s.ed.moves[req.Seq] = moves
	s.ed.mu.Unlock()
	return out
}

// rewriteLines sets the line of the moved breakpoints of a setBreakpoints
// request, keeping every other member as the client sent it.
func rewriteLines(content []byte, moves []lineMove) ([]byte, error) {
	var req map[string]json.RawMessage
	if err := json.Unmarshal(content, &req); err != nil {
		return nil, err
	}
	var args map[string]json.RawMessage
	if err := json.Unmarshal(req["arguments"], &args); err != nil {
		return nil, err
	}
	var bps []map[string]json.RawMessage
	if err := json.Unmarshal(args["breakpoints"], &bps); err != nil {
		return nil, err
	}
	var lines []int // the deprecated "lines" member, when sent
	hasLines := json.Unmarshal(args["lines"], &lines) == nil && len(lines) == len(bps)
	for _, m := range moves {
		bps[m.index]["line"], _ = json.Marshal(m.to)
		if hasLines {
			lines[m.index] = m.to
		}
	}
	var err error
	if args["breakpoints"], err = json.Marshal(bps); err != nil {
		return nil, err
	}
	if hasLines {
		args["lines"], _ = json.Marshal(lines)
	}
	if req["arguments"], err = json.Marshal(args); err != nil {
		return nil, err
	}
	return json.Marshal(req)
}

// annotateMoves gives each moved breakpoint that bound a one-line reason.
func (s *session) annotateMoves(requestSeq int, content []byte) []byte {
	s.ed.mu.Lock()
	moves := s.ed.moves[requestSeq]
	delete(s.ed.moves, requestSeq)
	s.ed.mu.Unlock()
	if len(moves) == 0 {
		return content
	}
	msg, err := godap.DecodeProtocolMessage(content)
	if err != nil {
		return content
	}
	resp, ok := msg.(*godap.SetBreakpointsResponse)
	if !ok {
		return content
	}
	for _, m := range moves {
		if m.index < len(resp.Body.Breakpoints) && resp.Body.Breakpoints[m.index].Verified {
			resp.Body.Breakpoints[m.index].Message = "dlvx: " + m.reason
		}
	}
	out, err := json.Marshal(resp)
	if err != nil {
		return content
	}
	return out
}

// onBreakpointLocations lists the lines of the range asked that hold a
// breakpoint as they are.
func (s *session) onBreakpointLocations(msg godap.Message) error {
	req, ok := msg.(*godap.BreakpointLocationsRequest)
	if !ok {
		return nil
	}
	a := req.Arguments
	end := max(a.EndLine, a.Line)
	file := srcpath.Apply(a.Source.Path, s.target.Rules())
	locs := []godap.BreakpointLocation{} // none while the target runs
	s.withLines(func(lines *breakcheck.Lines) {
		for _, n := range lines.Statements(file, a.Line, end) {
			locs = append(locs, godap.BreakpointLocation{Line: n})
		}
	})
	s.reply(msg, godap.BreakpointLocationsResponseBody{Breakpoints: locs})
	return nil
}
