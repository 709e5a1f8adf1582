package dap

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	godap "github.com/google/go-dap"
)

// A CoreDoctor examines the core file and executable of a "mode": "core"
// launch. cmd/dlvx installs one backed by the corecheck package.
type CoreDoctor interface {
	// ExamineCore returns what the user should know about opening core
	// with exe. An error means the examination could not run.
	ExamineCore(ctx context.Context, exe, core string) (CoreReport, error)
}

// A CoreReport is a core doctor's findings for the client, and the cause
// to name if Delve then fails to load the core.
type CoreReport struct {
	Report
	// Cause is the first error-level finding on one line (ID, title,
	// facts, first fix), or "" when the doctor found no error.
	Cause string
}

// coreVerdict is the cause the core doctor gave for a session's core
// launch, kept until Delve answers the launch.
type coreVerdict struct {
	mu    sync.Mutex
	cause string
}

// set records the cause; the client's relay goroutine calls it.
func (v *coreVerdict) set(cause string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.cause = cause
}

// take returns the cause and forgets it; the adapter's relay goroutine
// calls it at the launch response.
func (v *coreVerdict) take() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	c := v.cause
	v.cause = ""
	return c
}

// coreFile returns the core file of a core launch, resolved as the
// program is, or "".
func coreFile(raw json.RawMessage, args launchArgs) string {
	var a struct {
		CoreFilePath string `json:"coreFilePath"`
	}
	if json.Unmarshal(raw, &a) != nil || a.CoreFilePath == "" {
		return ""
	}
	return binaryOf("launch", launchArgs{Mode: "core", Program: a.CoreFilePath, DlvCwd: args.DlvCwd})
}

// examineCore runs the core doctor on a core launch, sends its report as
// output events, and keeps its cause for the launch response.
func (s *session) examineCore(exe, core string) {
	if !s.target.setBinary(exe) {
		return
	}
	rep, err := s.m.CoreDoctor.ExamineCore(context.Background(), exe, core)
	if err != nil {
		s.output("console", fmt.Sprintf("dlvx: the doctor could not examine %s: %v (%v)\n", core, err, ErrIDDoctorFailed))
		return
	}
	for _, line := range rep.Important {
		s.output("important", strings.TrimRight(line, "\n")+"\n")
	}
	if rep.Detail != "" {
		s.output("console", strings.TrimRight(rep.Detail, "\n")+"\n")
	}
	s.core.set(rep.Cause)
}

// explainLaunch adds the core doctor's cause to a failed launch of a core:
// Delve's own message ("unrecognized core format", "EOF") names neither
// the cause nor the file.
func (s *session) explainLaunch(content []byte) []byte {
	cause := s.core.take()
	if cause == "" {
		return content
	}
	msg, err := godap.DecodeProtocolMessage(content)
	if err != nil {
		return content
	}
	resp, ok := msg.(*godap.ErrorResponse)
	if !ok || resp.Success {
		return content
	}
	if resp.Body.Error != nil {
		resp.Body.Error.Format += " (dlvx doctor: " + cause + ")"
	} else {
		resp.Message += " (dlvx doctor: " + cause + ")"
	}
	out, err := json.Marshal(resp)
	if err != nil {
		return content
	}
	return out
}
