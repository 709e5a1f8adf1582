package dap

import (
	"errors"
	"testing"
)

func TestErrorIDsUnique(t *testing.T) {
	ids := map[ErrorID]bool{}
	names := map[string]bool{}
	for _, e := range errorIDs {
		if e.ID < 9000 {
			t.Errorf("%d (%s) is in Delve's range of error ids", e.ID, e.Name)
		}
		if ids[e.ID] || names[e.Name] {
			t.Errorf("error id %d or name %q listed twice", e.ID, e.Name)
		}
		ids[e.ID], names[e.Name] = true, true
	}
	for _, id := range []ErrorID{ErrIDMalformedFrame, ErrIDDoctorFailed} {
		if !ids[id] {
			t.Errorf("error id %d is not in errorIDs", id)
		}
	}
}

func TestFrameErrorUnwraps(t *testing.T) {
	err := error(&FrameError{From: "client", Offset: 7, Err: ErrHeaderTooLong})
	if !errors.Is(err, ErrMalformed) || !errors.Is(err, ErrHeaderTooLong) {
		t.Errorf("%v does not unwrap to ErrMalformed and ErrHeaderTooLong", err)
	}
}
