package dap

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	godap "github.com/google/go-dap"
)

// MaxHeaderLen bounds the header of a frame ("Content-Length: N\r\n\r\n").
// go-dap bounds the content (4 MiB) but reads a header until the first
// '\r', so a client that never sends one would grow the buffer forever.
const MaxHeaderLen = 128

// readerSize is the size of the buffered reader of each direction. It must
// hold a whole header.
const readerSize = 4096

// A frameReader reads base-protocol frames from one direction of a session.
type frameReader struct {
	br     *bufio.Reader
	from   string // "client" or "adapter", for errors
	offset int64  // bytes consumed so far
}

func newFrameReader(r io.Reader, from string) *frameReader {
	return &frameReader{br: bufio.NewReaderSize(r, readerSize), from: from}
}

// next returns the content of the next frame. A malformed frame gives a
// *FrameError wrapping ErrMalformed; io.EOF means the stream ended between
// frames.
func (fr *frameReader) next() ([]byte, error) {
	start := fr.offset
	hlen, err := fr.headerLen()
	if err != nil {
		if errors.Is(err, ErrMalformed) {
			err = &FrameError{From: fr.from, Offset: start, Err: err}
		}
		return nil, err
	}
	content, err := godap.ReadBaseMessage(fr.br)
	if err != nil {
		var bpe *godap.BaseProtocolError
		if errors.As(err, &bpe) || errors.Is(err, strconv.ErrRange) || errors.Is(err, strconv.ErrSyntax) {
			err = fmt.Errorf("%w: %w", ErrMalformed, err)
		} else if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w: stream ended inside a frame: %w", ErrMalformed, io.ErrUnexpectedEOF)
		}
		return nil, &FrameError{From: fr.from, Offset: start, Err: err}
	}
	fr.offset += int64(hlen + len(content))
	return content, nil
}

// headerLen waits until the buffer holds a complete header, without reading
// past MaxHeaderLen bytes, and returns its length. It returns io.EOF when
// the stream ends before the first byte of a frame.
func (fr *frameReader) headerLen() (int, error) {
	const delim = "\r\n\r\n"
	want := 1
	for {
		b, err := fr.br.Peek(want)
		if i := bytes.Index(b, []byte(delim)); i >= 0 {
			return i + len(delim), nil
		}
		if len(b) >= MaxHeaderLen {
			return 0, ErrHeaderTooLong
		}
		if err != nil {
			if errors.Is(err, io.EOF) && len(b) > 0 {
				return 0, fmt.Errorf("%w: stream ended inside a header", ErrMalformed)
			}
			return 0, err
		}
		want = len(b) + 1
		if n := fr.br.Buffered(); n > want {
			want = min(n, MaxHeaderLen)
		}
	}
}

// envelope holds the fields every message has, and those that tie a
// response to its request. It is decoded from every frame; the full
// message is decoded only when the layer acts on it.
type envelope struct {
	Seq        *int64 `json:"seq"`
	Type       string `json:"type"`
	Command    string `json:"command"`
	Event      string `json:"event"`
	RequestSeq int64  `json:"request_seq"`
	Success    bool   `json:"success"`
}

// decodeEnvelope checks that content is a JSON object with a numeric seq
// and a type, and returns those fields.
func decodeEnvelope(content []byte) (envelope, error) {
	var env envelope
	if err := json.Unmarshal(content, &env); err != nil {
		return env, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if env.Seq == nil || env.Type == "" {
		return env, fmt.Errorf("%w: no seq or type", ErrMalformed)
	}
	return env, nil
}

// writeFrame writes content as one frame with a single Write, so that a
// frame is never split between writers.
func writeFrame(w io.Writer, content []byte) error {
	buf := make([]byte, 0, len(content)+32)
	buf = fmt.Appendf(buf, "Content-Length: %d\r\n\r\n", len(content))
	buf = append(buf, content...)
	_, err := w.Write(buf)
	return err
}
