package dap

import (
	"errors"
	"testing"
)

func TestSetTopLevelInt(t *testing.T) {
	tests := []struct {
		in, key string
		v       int64
		want    string
	}{
		{`{"seq":1,"type":"event"}`, "seq", 12, `{"seq":12,"type":"event"}`},
		// Only the top-level member changes, whatever the spacing and order.
		{`{ "body" : {"seq": 3}, "type":"event" ,  "seq" :  4 }`, "seq", 5,
			`{ "body" : {"seq": 3}, "type":"event" ,  "seq" :  5 }`},
		{`{"request_seq":9,"seq":2,"x":"\"seq\":1"}`, "request_seq", 100, `{"request_seq":100,"seq":2,"x":"\"seq\":1"}`},
	}
	for _, tc := range tests {
		got, err := setTopLevelInt([]byte(tc.in), tc.key, tc.v)
		if err != nil || string(got) != tc.want {
			t.Errorf("setTopLevelInt(%s, %s, %d) = %s, %v; want %s", tc.in, tc.key, tc.v, got, err, tc.want)
		}
	}
	for _, bad := range []string{`[]`, `{"type":"event"}`, `{"seq":`, `nonsense`} {
		if _, err := setTopLevelInt([]byte(bad), "seq", 1); !errors.Is(err, ErrMalformed) {
			t.Errorf("setTopLevelInt(%s): err = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestSeqMapReverseRequests(t *testing.T) {
	var m seqMap
	if seq, rewrite := m.toClient(1, false); seq != 1 || rewrite {
		t.Fatalf("first adapter message: seq %d rewrite %v, want 1 false", seq, rewrite)
	}
	if seq, rewrite := m.toClient(0, false); seq != 2 || !rewrite {
		t.Fatalf("injected message: seq %d rewrite %v, want 2 true", seq, rewrite)
	}
	seq, rewrite := m.toClient(2, true) // a reverse request Delve numbered 2
	if seq != 3 || !rewrite {
		t.Fatalf("reverse request: seq %d rewrite %v, want 3 true", seq, rewrite)
	}
	if got, ok := m.toAdapter(3); !ok || got != 2 {
		t.Fatalf("response to client seq 3 maps to %d %v, want Delve's 2", got, ok)
	}
	if _, ok := m.toAdapter(3); ok {
		t.Fatal("a reverse request is answered once: mapping must be forgotten")
	}
}
