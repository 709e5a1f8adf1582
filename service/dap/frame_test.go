package dap

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// Arbitrary bytes never panic the frame reader, the envelope decoder or
// the seq rewriter, and every failure is either the end of the stream or
// a malformed frame.
func FuzzFrameReader(f *testing.F) {
	f.Add([]byte("Content-Length: 2\r\n\r\n{}"))
	f.Add(frame(`{"seq":1,"type":"request","command":"initialize"}`))
	f.Add([]byte("Content-Length: 99999999999999999999\r\n\r\n"))
	f.Add([]byte("Content-Length: 5\r\n\r\n{\"seq\r\n\r\n"))
	f.Add(bytes.Repeat([]byte("C"), 300))
	f.Fuzz(func(t *testing.T, data []byte) {
		fr := newFrameReader(bytes.NewReader(data), "fuzz")
		if len(data) > 0 && data[0] == 'C' && len(data)%2 == 0 {
			fr.max = MaxAdapterContent // the adapter direction's bound
		}
		for {
			content, err := fr.next()
			if err != nil {
				if err != io.EOF && !errors.Is(err, ErrMalformed) {
					t.Fatalf("next: %v is neither io.EOF nor ErrMalformed", err)
				}
				return
			}
			if _, err := decodeEnvelope(content); err != nil {
				continue
			}
			if _, err := setTopLevelInt(content, "seq", 7); err != nil && !errors.Is(err, ErrMalformed) {
				t.Fatalf("setTopLevelInt: %v", err)
			}
		}
	})
}
