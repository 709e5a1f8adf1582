package dap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// setTopLevelInt returns content with the value of its top-level member key
// replaced by v. Every other byte is kept, so a message the layer only
// renumbers is otherwise forwarded as Delve wrote it.
func setTopLevelInt(content []byte, key string, v int64) ([]byte, error) {
	start, end, err := topLevelValue(content, key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(content)+8)
	out = append(out, content[:start]...)
	out = strconv.AppendInt(out, v, 10)
	return append(out, content[end:]...), nil
}

// topLevelValue returns the byte range of the value of the top-level
// member key of the JSON object content.
func topLevelValue(content []byte, key string) (start, end int, err error) {
	dec := json.NewDecoder(bytes.NewReader(content))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return 0, 0, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return 0, 0, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		afterKey := int(dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return 0, 0, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		if tok != key {
			continue
		}
		end = int(dec.InputOffset())
		// The value is the last len(raw) bytes before end; what precedes
		// it since the key is the colon and white space.
		start = end - len(raw)
		if start < afterKey || !bytes.Equal(content[start:end], raw) {
			return 0, 0, fmt.Errorf("%w: cannot locate %q", ErrMalformed, key)
		}
		return start, end, nil
	}
	return 0, 0, fmt.Errorf("%w: no member %q", ErrMalformed, key)
}

// seqMap renumbers the adapter's messages for the client. The adapter
// numbers its messages itself; once the layer has added messages of its own,
// the adapter's numbers are behind the client's view and every later
// message is renumbered. Requests the adapter sends to the client (reverse
// requests such as runInTerminal) are remembered, so the client's response
// can be given the adapter's seq back.
type seqMap struct {
	last    int64           // last seq the client saw
	reverse map[int64]int64 // client-visible seq of an adapter request → adapter's seq
}

// toClient gives the next client-visible seq to a message the adapter
// numbered adapterSeq (0 for one the layer made). It reports whether
// the message must be rewritten.
func (m *seqMap) toClient(adapterSeq int64, isRequest bool) (seq int64, rewrite bool) {
	m.last++
	if isRequest && adapterSeq != 0 && adapterSeq != m.last {
		if m.reverse == nil {
			m.reverse = make(map[int64]int64)
		}
		m.reverse[m.last] = adapterSeq
	}
	return m.last, adapterSeq != m.last
}

// toAdapter returns the adapter's seq for the client's response to the
// reverse request the client knows as requestSeq, and forgets it.
func (m *seqMap) toAdapter(requestSeq int64) (seq int64, rewrite bool) {
	seq, ok := m.reverse[requestSeq]
	if ok {
		delete(m.reverse, requestSeq)
	}
	return seq, ok
}
