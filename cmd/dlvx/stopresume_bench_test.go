package main

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/go-delve/delve/service/api"
	"github.com/go-delve/delve/service/rpc2"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// BenchmarkStopResume measures one stop and resume at an unconditional
// breakpoint hit in a loop, with 1, 10 and 100 breakpoints set, for dlvx
// (breakpoints removed at each stop and written back at each resume) and,
// with DLVX_UPSTREAM_DLV, upstream dlv, interleaved per size.
func BenchmarkStopResume(b *testing.B) {
	bin := fixtures.Build(b, "worker", fixtures.NoOpt)
	debuggers := []struct{ name, bin string }{{"dlvx", dlvxBin}}
	if up := os.Getenv("DLVX_UPSTREAM_DLV"); up != "" {
		debuggers = append([]struct{ name, bin string }{{"dlv", up}}, debuggers...)
	}
	for _, n := range []int{1, 10, 100} {
		for _, d := range debuggers {
			b.Run(fmt.Sprintf("bps=%d/%s", n, d.name), func(b *testing.B) {
				tg := fixtures.StartReady(b, bin, "-n", "1000000000")
				srv := startServer(b, d.bin, "attach", strconv.Itoa(tg.PID), "--headless", "--api-version", "2")
				c := rpc2.NewClient(srv.addr)
				if _, err := c.CreateBreakpoint(&api.Breakpoint{FunctionName: "main.work"}); err != nil {
					b.Fatal(err)
				}
				setIdleBreakpoints(b, c, n-1)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if st := <-c.Continue(); st.Err != nil || st.Exited {
						b.Fatalf("continue: %+v", st)
					}
				}
				b.StopTimer()
				c.Detach(true)
			})
		}
	}
}

// setIdleBreakpoints sets n breakpoints on functions the worker's loop
// never calls.
func setIdleBreakpoints(b *testing.B, c *rpc2.RPCClient, n int) {
	fns, err := c.ListFunctions(`^(strconv|fmt|flag|sort|unicode/utf8)\.`, 0)
	if err != nil {
		b.Fatal(err)
	}
	for _, fn := range fns {
		if n == 0 {
			return
		}
		if _, err := c.CreateBreakpoint(&api.Breakpoint{FunctionName: fn}); err == nil {
			n--
		}
	}
	if n > 0 {
		b.Fatalf("%d idle breakpoints short", n)
	}
}
