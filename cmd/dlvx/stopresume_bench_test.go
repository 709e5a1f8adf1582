package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/go-delve/delve/service/api"
	"github.com/go-delve/delve/service/rpc2"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// A pairedRun is one debugger's session in a paired benchmark and the
// time of each of its stops.
type pairedRun struct {
	name  string
	c     *rpc2.RPCClient
	times []time.Duration
}

// pairedSessions starts, for dlvx and (with DLVX_UPSTREAM_DLV) upstream
// dlv, a target from bin with args and a headless server attached to it,
// and calls setup on each client.
func pairedSessions(b *testing.B, bin string, args []string, setup func(name string, c *rpc2.RPCClient)) []*pairedRun {
	debuggers := []struct{ name, bin string }{{"dlvx", dlvxBin}}
	if up := os.Getenv("DLVX_UPSTREAM_DLV"); up != "" {
		debuggers = append(debuggers, struct{ name, bin string }{"dlv", up})
	}
	var runs []*pairedRun
	for _, d := range debuggers {
		tg := fixtures.StartReady(b, bin, args...)
		srv := startServer(b, d.bin, "attach", strconv.Itoa(tg.PID), "--headless", "--api-version", "2")
		r := &pairedRun{name: d.name, c: rpc2.NewClient(srv.addr)}
		setup(d.name, r.c)
		b.Cleanup(func() { r.c.Detach(false) })
		runs = append(runs, r)
	}
	return runs
}

// loopPaired runs, per op, one Continue of each session, the first one
// alternating, so that the load of a shared machine weighs on both alike;
// check judges each stop.
func loopPaired(b *testing.B, runs []*pairedRun, check func(r *pairedRun, st *api.DebuggerState)) {
	for i := 0; b.Loop(); i++ {
		for k := range runs {
			r := runs[(i+k)%len(runs)]
			start := time.Now()
			st := <-r.c.Continue()
			r.times = append(r.times, time.Since(start))
			check(r, st)
		}
	}
	b.StopTimer()
	med := map[string]float64{}
	for _, r := range runs {
		sort.Slice(r.times, func(i, j int) bool { return r.times[i] < r.times[j] })
		med[r.name] = float64(r.times[len(r.times)/2].Nanoseconds()) / 1e3
		b.ReportMetric(med[r.name], r.name+"-µs/stop")
	}
	if med["dlv"] > 0 {
		b.ReportMetric(med["dlvx"]/med["dlv"], "dlvx/dlv")
	}
}

// BenchmarkStopResume measures one stop and resume at an unconditional
// breakpoint hit in a loop of an attached process, with 1, 10 and 100
// breakpoints set: dlvx (breakpoints removed at each stop and written back
// at each resume) and, with DLVX_UPSTREAM_DLV, upstream dlv, paired stop by
// stop. It reports each one's median time per stop and the ratio.
func BenchmarkStopResume(b *testing.B) {
	bin := fixtures.Build(b, "worker", fixtures.NoOpt)
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("bps=%d", n), func(b *testing.B) {
			runs := pairedSessions(b, bin, []string{"-n", "1000000000"}, func(_ string, c *rpc2.RPCClient) {
				if _, err := c.CreateBreakpoint(&api.Breakpoint{FunctionName: "main.work"}); err != nil {
					b.Fatal(err)
				}
				setIdleBreakpoints(b, c, n-1)
			})
			loopPaired(b, runs, func(r *pairedRun, st *api.DebuggerState) {
				if st.Err != nil || st.Exited {
					b.Fatalf("%s: continue: %+v", r.name, st)
				}
			})
		})
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
