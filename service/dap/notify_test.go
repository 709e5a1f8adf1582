package dap

import (
	"testing"

	godap "github.com/google/go-dap"
)

// Notify shows a report in a live session as the doctor's is shown: the
// important lines, then the detail, numbered after what the client saw;
// once the session ended it reaches none.
func TestNotifyLiveSessions(t *testing.T) {
	m := &Middleware{}
	r := startRelay(t, m)
	// A frame through the layer: the session runs.
	write(t, r.adapter, frame(`{"seq":1,"type":"event","event":"initialized"}`))
	readFrame(t, r.cr)

	rep := Report{Important: []string{"dlvx: AP-CORRECT-GODEBUG error: x"}, Detail: "[✗] AP-CORRECT-GODEBUG error: x\n"}
	if n := m.Notify(rep); n != 1 {
		t.Fatalf("Notify reached %d sessions, want 1", n)
	}
	want := []struct{ cat, text string }{{"important", rep.Important[0] + "\n"}, {"console", rep.Detail}}
	for i, w := range want {
		b := readFrame(t, r.cr)
		msg, err := godap.DecodeProtocolMessage(b)
		out, ok := msg.(*godap.OutputEvent)
		if err != nil || !ok {
			t.Fatalf("message %d = %s, %v; want an output event", i, b, err)
		}
		if out.Body.Category != w.cat || out.Body.Output != w.text || out.Seq != i+2 {
			t.Errorf("output %d = seq %d %s %q, want seq %d %s %q", i, out.Seq, out.Body.Category, out.Body.Output, i+2, w.cat, w.text)
		}
	}

	r.client.Close()
	err := <-r.errc
	r.errc <- err // for the cleanup
	if n := m.Notify(rep); n != 0 {
		t.Errorf("after the session ended Notify reached %d sessions, want 0", n)
	}
}
