package dap

import (
	"fmt"
	"path"
	"strconv"

	"github.com/dlvx/dlvx/srcpath"
	"github.com/go-delve/delve/service/api"
	godap "github.com/google/go-dap"
)

// A gotoTarget is a place Set Next Statement can move a goroutine to.
type gotoTarget struct {
	pc       uint64
	function string
	file     string
	line     int
}

// onGotoTargets answers gotoTargets: the code of the line asked, one
// target per function that has code there. Which of them the goroutine may
// jump to is goto's question: the request names no goroutine.
func (s *session) onGotoTargets(msg godap.Message) error {
	req, ok := msg.(*godap.GotoTargetsRequest)
	if !ok {
		return nil
	}
	d, err := s.stoppedDebugger()
	if err != nil {
		return err
	}
	a := req.Arguments
	file := srcpath.Apply(a.Source.Path, s.target.Rules())
	locs, _, err := d.FindLocation(-1, 0, 0, file+":"+strconv.Itoa(a.Line), false, nil)
	if err != nil {
		return &RefusedError{ErrIDGotoRefused, fmt.Sprintf("line %d of %s has no code to jump to: %v", a.Line, path.Base(a.Source.Path), err)}
	}
	targets := []godap.GotoTarget{}
	s.ed.mu.Lock()
	defer s.ed.mu.Unlock()
	if s.ed.gotos == nil {
		s.ed.gotos = map[int]gotoTarget{}
	}
	for _, l := range locs {
		pcs := l.PCs
		if len(pcs) == 0 {
			pcs = []uint64{l.PC}
		}
		fn := ""
		if l.Function != nil {
			fn = l.Function.Name()
		}
		id := s.newTargetID()
		s.ed.gotos[id] = gotoTarget{pc: pcs[0], function: fn, file: path.Base(a.Source.Path), line: a.Line}
		targets = append(targets, godap.GotoTarget{Id: id, Label: fmt.Sprintf("%s:%d in %s", path.Base(a.Source.Path), a.Line, fn), Line: a.Line})
	}
	s.reply(msg, godap.GotoTargetsResponseBody{Targets: targets})
	return nil
}

// onGoto moves the goroutine's next statement to a target of
// gotoTargets, with Delve's SetExecutionPoint (the terminal's jump): only
// within the function the goroutine is stopped in, and only for a
// goroutine running on a thread. The response comes first, then a
// stopped event with reason "goto", as the protocol asks.
func (s *session) onGoto(msg godap.Message) error {
	req, ok := msg.(*godap.GotoRequest)
	if !ok {
		return nil
	}
	d, err := s.stoppedDebugger()
	if err != nil {
		return err
	}
	s.ed.mu.Lock()
	tgt, ok := s.ed.gotos[req.Arguments.TargetId]
	mode := s.ed.mode
	s.ed.mu.Unlock()
	if mode == "core" || mode == "replay" {
		return &RefusedError{ErrIDGotoRefused, "Set Next Statement writes the program counter, which a " + mode + " session cannot"}
	}
	if !ok {
		return &RefusedError{ErrIDGotoRefused, "unknown goto target: the program ran since it was given"}
	}
	goid := int64(req.Arguments.ThreadId)
	g, err := d.FindGoroutine(goid)
	if err != nil {
		return &RefusedError{ErrIDGotoRefused, fmt.Sprintf("goroutine %d: %v", goid, err)}
	}
	if g.Thread == nil {
		return &RefusedError{ErrIDGotoRefused, fmt.Sprintf("goroutine %d is not running on a thread: Set Next Statement moves the program counter of a thread", goid)}
	}
	cur, err := d.Function(goid, 0, 0)
	if err != nil || cur == nil {
		return &RefusedError{ErrIDGotoRefused, fmt.Sprintf("goroutine %d is stopped in no known function", goid)}
	}
	if cur.Name != tgt.function {
		return &RefusedError{ErrIDGotoRefused, fmt.Sprintf("Set Next Statement stays inside the current function: %s:%d is in %s, goroutine %d is stopped in %s", tgt.file, tgt.line, tgt.function, goid, cur.Name)}
	}
	if _, err := d.Command(&api.DebuggerCommand{Name: api.SwitchGoroutine, GoroutineID: goid}, nil, nil, nil); err != nil {
		return &RefusedError{ErrIDGotoRefused, fmt.Sprintf("select goroutine %d: %v", goid, err)}
	}
	if err := d.SetExecutionPoint(tgt.pc); err != nil {
		return &RefusedError{ErrIDGotoRefused, fmt.Sprintf("Delve refused to jump to %s:%d: %v", tgt.file, tgt.line, err)}
	}
	s.reply(msg, nil)
	s.forgetStop()
	ev := &godap.StoppedEvent{
		Event: godap.Event{ProtocolMessage: godap.ProtocolMessage{Type: "event"}, Event: "stopped"},
		Body:  godap.StoppedEventBody{Reason: "goto", ThreadId: int(goid), AllThreadsStopped: true},
	}
	if err := s.send(ev); err != nil {
		s.m.logf("dlvx dap: send stopped: %v", err)
	}
	return nil
}
