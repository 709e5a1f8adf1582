package dap

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/api"
	godap "github.com/google/go-dap"
)

// A stepInTarget is one call on the current line of a goroutine.
type stepInTarget struct {
	goroutine  int64
	function   string
	occurrence int // 1 for the first call of function on the line, 2 for the second, ...
}

// A stepInto is a Step Into Target under way: Delve steps over the line
// (next) with a temporary breakpoint at the target's entry, for that
// goroutine and that call, which stops the step inside the target.
type stepInto struct {
	seq          int    // the client's stepIn request, answered by Delve's next
	breakpointID int    // the temporary breakpoint
	function     string // for the log
}

// stepIntoLabel is the name of the temporary breakpoints.
const stepIntoLabel = "dlvxStepIntoTarget"

// onStepInTargets lists the direct calls on the frame's current line not
// made yet, in the order the code makes them. Indirect calls (closures,
// interface methods) have no target known before they run, and calls into
// the runtime are the compiler's, not the line's: neither is listed.
func (s *session) onStepInTargets(msg godap.Message) error {
	req, ok := msg.(*godap.StepInTargetsRequest)
	if !ok {
		return nil
	}
	d, err := s.stoppedDebugger()
	if err != nil {
		return err
	}
	fr, err := s.frame(req.Arguments.FrameId)
	if err != nil {
		return err
	}
	targets := []godap.StepInTarget{}
	if fr.depth != 0 {
		s.reply(msg, godap.StepInTargetsResponseBody{Targets: targets}) // only the top frame steps
		return nil
	}
	g, err := d.FindGoroutine(fr.goroutine)
	if err != nil || g == nil {
		return &RefusedError{ErrIDEditorRequest, fmt.Sprintf("goroutine %d: %v", fr.goroutine, err)}
	}
	loc := g.CurrentLoc
	if loc.Fn == nil {
		return &RefusedError{ErrIDEditorRequest, fmt.Sprintf("goroutine %d is stopped in no known function", fr.goroutine)}
	}
	insts, err := d.Disassemble(fr.goroutine, loc.Fn.Entry, loc.Fn.End)
	if err != nil {
		return &RefusedError{ErrIDEditorRequest, fmt.Sprintf("disassemble %s: %v", loc.Fn.Name, err)}
	}
	seen := map[string]int{}
	s.ed.mu.Lock()
	defer s.ed.mu.Unlock()
	if s.ed.stepIns == nil {
		s.ed.stepIns = map[int]stepInTarget{}
	}
	for _, in := range lineCalls(insts, loc) {
		name := in.DestLoc.Fn.Name
		seen[name]++
		id := s.newTargetID()
		s.ed.stepIns[id] = stepInTarget{goroutine: fr.goroutine, function: name, occurrence: seen[name]}
		label := name
		if seen[name] > 1 {
			label = fmt.Sprintf("%s (call %d)", name, seen[name])
		}
		targets = append(targets, godap.StepInTarget{Id: id, Label: label, Line: loc.Line})
	}
	s.reply(msg, godap.StepInTargetsResponseBody{Targets: targets})
	return nil
}

// lineCalls returns the direct calls of insts on loc's line at or after
// loc's PC, skipping the runtime's.
func lineCalls(insts []proc.AsmInstruction, loc proc.Location) []proc.AsmInstruction {
	var out []proc.AsmInstruction
	for _, in := range insts {
		if !in.IsCall() || in.Loc.PC < loc.PC || in.Loc.Line != loc.Line || in.Loc.File != loc.File {
			continue
		}
		if in.DestLoc == nil || in.DestLoc.Fn == nil || in.DestLoc.File == "" {
			continue
		}
		if n := in.DestLoc.Fn.Name; strings.HasPrefix(n, "runtime.") || strings.HasPrefix(n, "internal/") {
			continue
		}
		out = append(out, in)
	}
	return out
}

// stepInto turns a stepIn with a target into Delve's next over the line
// with a temporary breakpoint at the target: the one call of the target
// function (its occurrence on the line) by this goroutine. A stepIn
// without a known target goes to Delve as sent.
func (s *session) stepInto(content []byte) []byte {
	msg, err := godap.DecodeProtocolMessage(content)
	if err != nil {
		return content
	}
	req, ok := msg.(*godap.StepInRequest)
	if !ok || req.Arguments.TargetId == 0 {
		return content
	}
	s.ed.mu.Lock()
	tgt, ok := s.ed.stepIns[req.Arguments.TargetId]
	s.ed.mu.Unlock()
	d, err := s.stoppedDebugger()
	if !ok || err != nil || tgt.goroutine != int64(req.Arguments.ThreadId) {
		return content // plain step in: Delve's own
	}
	bp, err := d.CreateBreakpoint(&api.Breakpoint{
		Name:    fmt.Sprintf("%s%d", stepIntoLabel, req.Seq),
		Cond:    fmt.Sprintf("runtime.curg.goid == %d", tgt.goroutine),
		HitCond: fmt.Sprintf("== %d", tgt.occurrence),
	}, tgt.function, nil, false)
	if err != nil {
		s.m.logf("dlvx dap: step into %s: %v", tgt.function, err)
		return content
	}
	next := map[string]any{"seq": req.Seq, "type": "request", "command": "next",
		"arguments": godap.NextArguments{ThreadId: req.Arguments.ThreadId, SingleThread: req.Arguments.SingleThread}}
	out, err := json.Marshal(next)
	if err != nil {
		d.ClearBreakpoint(bp)
		return content
	}
	s.ed.mu.Lock()
	s.ed.step = &stepInto{seq: req.Seq, breakpointID: bp.ID, function: tgt.function}
	s.ed.mu.Unlock()
	return out
}

// stepIntoAnswered gives Delve's answer to the layer's next the command
// the client asked for.
func (s *session) stepIntoAnswered(requestSeq int, content []byte) []byte {
	s.ed.mu.Lock()
	st := s.ed.step
	s.ed.mu.Unlock()
	if st == nil || st.seq != requestSeq {
		return content
	}
	var resp map[string]json.RawMessage
	if json.Unmarshal(content, &resp) != nil {
		return content
	}
	resp["command"], _ = json.Marshal("stepIn")
	out, err := json.Marshal(resp)
	if err != nil {
		return content
	}
	return out
}

// stepIntoStopped ends a Step Into Target at the stop it caused: a stop
// at its breakpoint is the step's ("step", no breakpoint hit); the
// breakpoint is removed before the client's next request (finishStep).
func (s *session) stepIntoStopped(content []byte) []byte {
	s.ed.mu.Lock()
	st := s.ed.step
	s.ed.step = nil
	if st != nil {
		s.ed.done = st // cleared by finishStep only: never lose a breakpoint to clear
	}
	// finishStep cancels the rest of the layer's next however it stopped,
	// so Delve's offer to resume it, sent after this event, is void.
	s.ed.dropNotice = st != nil
	s.ed.mu.Unlock()
	if st == nil {
		return content
	}
	msg, err := godap.DecodeProtocolMessage(content)
	if err != nil {
		return content
	}
	ev, ok := msg.(*godap.StoppedEvent)
	if !ok || len(ev.Body.HitBreakpointIds) != 1 || ev.Body.HitBreakpointIds[0] != st.breakpointID {
		return content
	}
	ev.Body.Reason, ev.Body.HitBreakpointIds = "step", nil
	out, err := json.Marshal(ev)
	if err != nil {
		return content
	}
	return out
}

// stepIntoOutput drops Delve's "Step interrupted by a breakpoint" notice
// after a Step Into Target: the step ended where it was asked to, or at a
// user's breakpoint, and finishStep cancels the rest of it either way.
func (s *session) stepIntoOutput(content []byte) []byte {
	s.ed.mu.Lock()
	defer s.ed.mu.Unlock()
	if !s.ed.dropNotice {
		return content
	}
	var ev godap.OutputEvent
	if json.Unmarshal(content, &ev) == nil && strings.HasPrefix(ev.Body.Output, "Step interrupted by a breakpoint") {
		s.ed.dropNotice = false
		return nil
	}
	return content
}

// finishStep removes the breakpoint of a finished Step Into Target and
// the rest of Delve's step over the line, before the client's next
// request reaches Delve.
func (s *session) finishStep() {
	s.ed.mu.Lock()
	done := s.ed.done
	s.ed.done = nil
	s.ed.mu.Unlock()
	d := s.debugger()
	if done == nil || d == nil {
		return
	}
	if _, err := d.ClearBreakpoint(&api.Breakpoint{ID: done.breakpointID}); err != nil {
		s.m.logf("dlvx dap: step into %s: clear breakpoint %d: %v", done.function, done.breakpointID, err)
	}
	// A stop at the layer's breakpoint, or at a user's on the way, leaves
	// Delve's next pending: the user asked for no step over the line.
	if err := d.CancelNext(); err != nil {
		s.m.logf("dlvx dap: step into %s: cancel next: %v", done.function, err)
	}
}
