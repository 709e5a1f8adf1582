package dap

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	godap "github.com/google/go-dap"
)

// freezerDoctor refuses every attach while its file says FROZEN, as the
// attach preflight refuses a process whose freezer.state says so.
type freezerDoctor struct{ state string }

func (d *freezerDoctor) Examine(_ context.Context, path string) (Report, error) {
	b, err := os.ReadFile(d.state)
	if err != nil {
		return Report{}, err
	}
	if strings.TrimSpace(string(b)) != "FROZEN" {
		return Report{}, nil
	}
	return Report{Important: []string{"frozen: " + path}, Refusal: "frozen; fix: unpause " + path}, nil
}

// answer reads the client's messages until the response to seq.
func answer(t *testing.T, r *relay, seq int) *godap.ErrorResponse {
	t.Helper()
	for {
		msg, err := godap.DecodeProtocolMessage(readFrame(t, r.cr))
		if err != nil {
			t.Fatal(err)
		}
		if resp, ok := msg.(godap.ResponseMessage); ok {
			er, isErr := msg.(*godap.ErrorResponse)
			if resp.GetResponse().RequestSeq != seq || !isErr {
				t.Fatalf("got %#v, want an error response to request %d", msg, seq)
			}
			return er
		}
	}
}

// A refused attach is answered by the layer with its error id and never
// reaches Delve; after the thaw the session's next attach is examined
// again and forwarded.
func TestAttachRefusedThenForwarded(t *testing.T) {
	state := filepath.Join(t.TempDir(), "freezer.state")
	if err := os.WriteFile(state, []byte("FROZEN\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := startRelay(t, &Middleware{Doctor: &freezerDoctor{state: state}})
	attach := `{"seq":%d,"type":"request","command":"attach","arguments":{"mode":"local","processId":` + strconv.Itoa(os.Getpid()) + `}}`
	write(t, r.client, frame(fmt.Sprintf(attach, 1)))
	er := answer(t, r, 1)
	e := er.Body.Error
	if e == nil || e.Id != int(ErrIDAttachRefused) || !e.ShowUser || !strings.Contains(e.Format, "fix: unpause") || er.Command != "attach" {
		t.Fatalf("refusal = %+v %+v, want id %d, shown, with the fix", er.Response, e, ErrIDAttachRefused)
	}
	if err := os.WriteFile(state, []byte("THAWED\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	second := fmt.Sprintf(attach, 2)
	write(t, r.client, frame(second))
	if got := readFrame(t, r.ar); string(got) != second {
		t.Fatalf("Delve got %s first, want the second attach (the refused one never reaches it)", got)
	}
}

// stuckGuard finds the attach stuck the second time it is asked.
type stuckGuard struct {
	asked    atomic.Int32
	detached chan struct{}
}

func (g *stuckGuard) StopTimeout() time.Duration { return 20 * time.Millisecond }

func (g *stuckGuard) Abandon(pid int) error {
	if g.asked.Add(1) < 2 {
		return nil
	}
	return errors.New("gave up waiting for pid " + strconv.Itoa(pid) + " to stop")
}

func (g *stuckGuard) Detach() { close(g.detached) }

// An attach Delve does not answer is answered by the layer once the guard
// finds it stuck (not before: a nil Abandon re-arms the bound), then the
// guard ends the trace; Delve's late answer never reaches the client.
func TestAttachBoundWhenStuck(t *testing.T) {
	g := &stuckGuard{detached: make(chan struct{})}
	r := startRelay(t, &Middleware{AttachGuard: g})
	attach := `{"seq":1,"type":"request","command":"attach","arguments":{"mode":"local","processId":4242}}`
	write(t, r.client, frame(attach))
	readFrame(t, r.ar)
	er := answer(t, r, 1)
	if e := er.Body.Error; e == nil || e.Id != int(ErrIDAttachTimeout) || !e.ShowUser || !strings.Contains(e.Format, "pid 4242 to stop") {
		t.Fatalf("timeout answer = %+v, want id %d with what it waited for", e, ErrIDAttachTimeout)
	}
	if n := g.asked.Load(); n != 2 {
		t.Errorf("guard asked %d times, want 2", n)
	}
	r.client.Close() // drain waits for the client's end
	select {
	case <-g.detached:
	case <-time.After(10 * time.Second):
		t.Fatal("the guard was not told to end the trace")
	}
}

// Delve's answer ends the bound: its timer is stopped before it fires,
// and the answer is forwarded.
func TestAttachBoundEndsWithDelveAnswer(t *testing.T) {
	g := &stuckGuard{detached: make(chan struct{})}
	s := (&Middleware{AttachGuard: g}).newSession(nil, nil)
	s.watchAttach(7, launchArgs{ProcessID: 4242})
	if s.attachAnswered(7) {
		t.Error("Delve's answer would be dropped")
	}
	if s.attach.timer.Stop() {
		t.Error("the bound's timer still runs after Delve answered")
	}
	if s.attachAnswered(7) {
		t.Error("a second answer would be dropped")
	}
}
