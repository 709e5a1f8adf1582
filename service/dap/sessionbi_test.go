package dap

import (
	"context"
	"fmt"
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
			c.response(c.request("initialize", `{"adapterID":"go"}`))
			c.response(c.request("launch", fmt.Sprintf(`{"mode":"exec","program":%q}`, worker)))
			resp := c.response(c.request("setBreakpoints", `{"source":{"path":"/nowhere/main.go"},"breakpoints":[{"line":3}]}`))
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
