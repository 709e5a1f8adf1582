package dap

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"

	godap "github.com/google/go-dap"
)

// progress holds the DAP progress the layer reports to a client that said
// supportsProgressReporting in its initialize request. Delve 1.27.2 reports
// none: a debug build, or loading a large binary, shows nothing while it
// lasts.
type progress struct {
	mu      sync.Mutex
	enabled bool           // the client reports progress
	open    map[int]string // request seq → progressId of the progress it started
	next    int
}

// readProgressCapability reads supportsProgressReporting from an
// initialize request.
func (s *session) readProgressCapability(content []byte) {
	var req struct {
		Arguments struct {
			SupportsProgressReporting bool `json:"supportsProgressReporting"`
		} `json:"arguments"`
	}
	if json.Unmarshal(content, &req) != nil {
		return
	}
	s.progress.mu.Lock()
	defer s.progress.mu.Unlock()
	s.progress.enabled = req.Arguments.SupportsProgressReporting
}

// startProgress sends a progressStart event for request seq, when the
// client reports progress. endProgress(seq) ends it.
func (s *session) startProgress(seq int, title, message string) {
	p := &s.progress
	p.mu.Lock()
	if !p.enabled {
		p.mu.Unlock()
		return
	}
	if p.open == nil {
		p.open = make(map[int]string)
	}
	p.next++
	id := "dlvx-" + strconv.Itoa(p.next)
	p.open[seq] = id
	p.mu.Unlock()
	s.sendEvent(&godap.ProgressStartEvent{
		Event: godap.Event{ProtocolMessage: godap.ProtocolMessage{Type: "event"}, Event: "progressStart"},
		Body:  godap.ProgressStartEventBody{ProgressId: id, Title: title, RequestId: seq, Message: message},
	})
}

// endProgress sends the progressEnd event of request seq's progress, if
// it started one and did not end it yet.
func (s *session) endProgress(seq int) {
	p := &s.progress
	p.mu.Lock()
	id, ok := p.open[seq]
	delete(p.open, seq)
	p.mu.Unlock()
	if !ok {
		return
	}
	s.sendEvent(&godap.ProgressEndEvent{
		Event: godap.Event{ProtocolMessage: godap.ProtocolMessage{Type: "event"}, Event: "progressEnd"},
		Body:  godap.ProgressEndEventBody{ProgressId: id},
	})
}

// sendEvent sends an event the layer made; an error ends the session on
// the next read.
func (s *session) sendEvent(ev godap.Message) {
	if err := s.send(ev); err != nil {
		s.m.logf("dlvx dap: send %T: %v", ev, err)
	}
}

// launchProgress starts the progress of a launch or attach request until
// Delve answers it: Delve builds (debug and test modes) or loads the
// executable's debug info, which takes seconds for a build and about half
// a second for a 24 MB binary, before it answers.
func (s *session) launchProgress(seq int, command string, args launchArgs) {
	switch {
	case args.NoDebug:
		return
	case command == "attach" && args.Mode == "remote":
		s.startProgress(seq, "Attaching to the debug server", "")
	case command == "attach" && args.ProcessID > 0:
		s.startProgress(seq, "Attaching to process "+strconv.Itoa(args.ProcessID), "loading its debug info")
	case command == "attach":
		s.startProgress(seq, "Attaching", "")
	case args.Mode == "" || args.Mode == "debug" || args.Mode == "test":
		s.startProgress(seq, fmt.Sprintf("Building %s", displayProgram(args.Program)), "go build, then loading its debug info")
	default:
		s.startProgress(seq, fmt.Sprintf("Loading %s", displayProgram(args.Program)), "reading its debug info")
	}
}

// displayProgram names a program in a progress title.
func displayProgram(program string) string {
	if program == "" || program == "." {
		return "the package"
	}
	return filepath.Base(program)
}

// restartMessage says what a restart of the launch in args does before
// Delve answers: a mode Delve built rebuilds, an exec or a core restarts.
func restartMessage(args json.RawMessage) string {
	var a launchArgs
	if json.Unmarshal(args, &a) == nil && a.Mode != "" && a.Mode != "debug" && a.Mode != "test" {
		return "the program is started again"
	}
	return "a debug build is built again"
}
