package dap

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	godap "github.com/google/go-dap"
)

// MaxHeaderLen bounds the header of a frame ("Content-Length: N\r\n\r\n").
// go-dap bounds the content (4 MiB) but reads a header until the first
// '\r', so a client that never sends one would grow the buffer forever.
const MaxHeaderLen = 128

// goDAPMaxContent is the content bound of go-dap's ReadBaseMessage.
const goDAPMaxContent = 4 << 20

// MaxAdapterContent bounds the content of a frame from Delve. Delve is
// trusted, and some of its answers may exceed go-dap's 4 MiB (a string
// evaluated with a large maxStringLen): refusing one would end the session
// where Delve alone would not.
const MaxAdapterContent = 256 << 20

// readerSize is the size of the buffered reader of each direction. It must
// hold a whole header.
const readerSize = 4096

// A frameReader reads base-protocol frames from one direction of a session.
type frameReader struct {
	br     *bufio.Reader
	from   string // "client" or "adapter", for errors
	offset int64  // bytes consumed so far
	start  int64  // offset of the frame next returned last
	max    int    // content bound; above goDAPMaxContent only for Delve
}

func newFrameReader(r io.Reader, from string) *frameReader {
	return &frameReader{br: bufio.NewReaderSize(r, readerSize), from: from, max: goDAPMaxContent}
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
	var content []byte
	if n, ok := fr.largeContent(hlen); ok {
		content, err = fr.readLarge(hlen, n)
	} else {
		content, err = godap.ReadBaseMessage(fr.br)
	}
	if err != nil {
		var bpe *godap.BaseProtocolError
		if errors.As(err, &bpe) || errors.Is(err, strconv.ErrRange) || errors.Is(err, strconv.ErrSyntax) {
			err = fmt.Errorf("%w: %w", ErrMalformed, err)
		} else if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w: stream ended inside a frame: %w", ErrMalformed, io.ErrUnexpectedEOF)
		}
		return nil, &FrameError{From: fr.from, Offset: start, Err: err}
	}
	fr.start = start
	fr.offset += int64(hlen + len(content))
	return content, nil
}

// largeContent reports the content length of the buffered header when it
// is above go-dap's bound but within fr.max.
func (fr *frameReader) largeContent(hlen int) (int, bool) {
	if fr.max <= goDAPMaxContent {
		return 0, false
	}
	h, _ := fr.br.Peek(hlen)
	digits, ok := strings.CutPrefix(strings.TrimSuffix(string(h), "\r\n\r\n"), "Content-Length: ")
	n, err := strconv.Atoi(digits)
	if !ok || err != nil || n <= goDAPMaxContent || n > fr.max {
		return 0, false // go-dap accepts it or reports what is wrong
	}
	return n, true
}

// readLarge reads a frame whose header is hlen bytes and content n bytes.
func (fr *frameReader) readLarge(hlen, n int) ([]byte, error) {
	if _, err := fr.br.Discard(hlen); err != nil {
		return nil, err
	}
	content := make([]byte, n)
	if _, err := io.ReadFull(fr.br, content); err != nil {
		return nil, err
	}
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
