package dap

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	godap "github.com/google/go-dap"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// binaryInfoExplainer records the executable of the BinaryInfo each
// question came with ("" without one) and answers with it.
type binaryInfoExplainer struct {
	mu   sync.Mutex
	seen []string
}

func (e *binaryInfoExplainer) answer(ctx context.Context) string {
	path := ""
	if bi := BinaryInfo(ctx); bi != nil && len(bi.Images) > 0 {
		path = bi.Images[0].Path
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seen = append(e.seen, path)
	return "asked with the tables of " + path
}

func (e *binaryInfoExplainer) ExplainLine(ctx context.Context, _, _ string, _ int) (string, error) {
	return e.answer(ctx), nil
}

func (e *binaryInfoExplainer) ExplainFunction(ctx context.Context, _, _ string) (string, error) {
	return e.answer(ctx), nil
}

// With Delve's session bound, the explainer is asked with the BinaryInfo
// Delve loaded for the launch; without it, with none (it loads its own).
func TestExplainerGetsTheSessionsBinaryInfo(t *testing.T) {
	worker := fixtures.Build(t, "worker", fixtures.NoOpt)
	for _, bound := range []bool{true, false} {
		t.Run(fmt.Sprintf("bound=%v", bound), func(t *testing.T) {
			e := &binaryInfoExplainer{}
			m := &Middleware{Explainer: e}
			start := startDelve
			if bound {
				start = startBound
			}
			c := start(t, m)
			c.response(c.request("initialize", `{"adapterID":"go","supportsProgressReporting":true}`))
			launch := c.request("launch", fmt.Sprintf(`{"mode":"exec","program":%q}`, worker))
			c.response(launch)
			if got := progressOf(c, launch); !slices.Equal(got, []string{"progressStart", "progressEnd"}) {
				t.Errorf("launch progress %q, want a start and an end", got)
			}
			set := c.request("setBreakpoints", `{"source":{"path":"/nowhere/main.go"},"breakpoints":[{"line":3}]}`)
			resp := c.response(set)
			// The explainer's own load, without the session's tables, is
			// progress too.
			wantProgress := []string{"progressStart", "progressEnd"}
			if bound {
				wantProgress = nil
			}
			if got := progressOf(c, set); !slices.Equal(got, wantProgress) {
				t.Errorf("setBreakpoints progress %q, want %q", got, wantProgress)
			}
			bps := resp.(*godap.SetBreakpointsResponse).Body.Breakpoints
			want := ""
			if bound {
				want = worker
			}
			if len(bps) != 1 || bps[0].Verified || !strings.HasPrefix(bps[0].Message, "asked with the tables of "+want+"\n") {
				t.Errorf("breakpoints %+v, want the explainer asked with the tables of %q", bps, want)
			}
			if len(e.seen) != 1 || e.seen[0] != want {
				t.Errorf("explainer asked with %q, want [%q]", e.seen, want)
			}
		})
	}
}

// progressOf returns the progress events received so far, in order, of
// the progress started for request seq, and forgets them.
func progressOf(c *dapClient, seq int) []string {
	ids := map[string]bool{}
	var got []string
	kept := c.events[:0]
	for _, e := range c.events {
		switch ev := e.(type) {
		case *godap.ProgressStartEvent:
			if ev.Body.RequestId == seq {
				ids[ev.Body.ProgressId] = true
				got = append(got, ev.Event.Event)
				continue
			}
		case *godap.ProgressEndEvent:
			if ids[ev.Body.ProgressId] {
				got = append(got, ev.Event.Event)
				continue
			}
		}
		kept = append(kept, e)
	}
	c.events = kept
	return got
}

// A restart, which rebuilds a debug build, is progress too, ended by
// Delve's answer.
func TestRestartProgress(t *testing.T) {
	worker := fixtures.Build(t, "worker", fixtures.NoOpt)
	c := startDelve(t, &Middleware{})
	c.response(c.request("initialize", `{"adapterID":"go","supportsProgressReporting":true}`))
	args := fmt.Sprintf(`{"mode":"exec","program":%q}`, worker)
	c.response(c.request("launch", args))
	restart := c.request("restart", `{"arguments":`+args+`}`)
	c.response(restart)
	if got := progressOf(c, restart); !slices.Equal(got, []string{"progressStart", "progressEnd"}) {
		t.Errorf("restart progress %q, want a start and an end", got)
	}
}

// TestRestartMessage: only a mode Delve builds in is said to rebuild.
func TestRestartMessage(t *testing.T) {
	for args, want := range map[string]string{
		`{"mode":"exec","program":"/bin/app"}`: "started again",
		`{"mode":"core","program":"/bin/app"}`: "started again",
		`{"mode":"debug","program":"."}`:       "built again",
		`{"mode":"test","program":"."}`:        "built again",
		`{"program":"."}`:                      "built again",
		``:                                     "built again",
	} {
		if got := restartMessage(json.RawMessage(args)); !strings.Contains(got, want) {
			t.Errorf("restart of %s: %q, want it to say %q", args, got, want)
		}
	}
}
