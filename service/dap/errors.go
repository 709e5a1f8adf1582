package dap

import (
	"errors"
	"fmt"
)

// Sentinel errors. Frame errors wrap ErrMalformed.
var (
	// ErrMalformed reports a frame that does not follow the base protocol or
	// whose content is not a JSON object with a numeric seq and a type.
	ErrMalformed = errors.New("malformed DAP message")
	// ErrHeaderTooLong reports a header longer than MaxHeaderLen.
	ErrHeaderTooLong = fmt.Errorf("%w: header over %d bytes", ErrMalformed, MaxHeaderLen)
)

// A FrameError reports a malformed frame and where in the stream it started.
type FrameError struct {
	From   string // "client" or "adapter"
	Offset int64  // byte offset of the frame in that direction's stream
	Err    error
}

func (e *FrameError) Error() string {
	return fmt.Sprintf("%s frame at offset %d: %v", e.From, e.Offset, e.Err)
}

func (e *FrameError) Unwrap() error { return e.Err }

// An ErrorID is the id of a dap.ErrorMessage, or the tag of an output line,
// that dlvx itself produces. Delve's own ids are below 9000.
type ErrorID int

// Every id dlvx uses. Never reuse a retired value.
const (
	ErrIDMalformedFrame ErrorID = 9001 + iota
	ErrIDDoctorFailed
	ErrIDNotStopped    // an editor request that needs a stopped program
	ErrIDGotoRefused   // Set Next Statement refused, with the reason
	ErrIDEditorRequest // another editor request the layer could not answer
	ErrIDAttachRefused
	ErrIDAttachTimeout
)

// errorIDs names every ErrorID. A test checks that ids and names are unique
// and that every id is at least 9000.
var errorIDs = []struct {
	ID   ErrorID
	Name string
}{
	{ErrIDMalformedFrame, "malformed-frame"},
	{ErrIDDoctorFailed, "doctor-failed"},
	{ErrIDNotStopped, "not-stopped"},
	{ErrIDGotoRefused, "goto-refused"},
	{ErrIDEditorRequest, "editor-request-failed"},
	{ErrIDAttachRefused, "attach-refused"},
	{ErrIDAttachTimeout, "attach-timeout"},
}

func (id ErrorID) String() string {
	for _, e := range errorIDs {
		if e.ID == id {
			return fmt.Sprintf("dlvx-%d %s", int(id), e.Name)
		}
	}
	return fmt.Sprintf("dlvx-%d", int(id))
}
