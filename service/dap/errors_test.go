package dap

import (
	"errors"
	"net"
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
	for _, id := range []ErrorID{ErrIDMalformedFrame, ErrIDDoctorFailed, ErrIDAttachRefused, ErrIDAttachTimeout} {
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

// A FrameError gives the offset where the bad frame starts in its stream.
func TestFrameErrorOffset(t *testing.T) {
	r := startRelay(t, &Middleware{})
	good := frame(`{"seq":1,"type":"request","command":"initialize"}`)
	write(t, r.client, good)
	readFrame(t, r.ar)
	write(t, r.client, frame(`{"no":"seq"}`))
	r.client.(*net.TCPConn).CloseWrite()
	err := <-r.errc
	r.errc <- err
	var fe *FrameError
	if !errors.As(err, &fe) || fe.Offset != int64(len(good)) {
		t.Fatalf("Serve = %v, want a *FrameError at offset %d", err, len(good))
	}
}
