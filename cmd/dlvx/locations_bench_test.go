package main

import (
	"bufio"
	"fmt"
	"os/exec"
	"regexp"
	"testing"

	"github.com/go-delve/delve/service/api"
	"github.com/go-delve/delve/service/rpc2"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// BenchmarkPreemptEntryFiltered measures one filtered stop at the
// preemption entry of one spinning goroutine while another spins too:
// dlvx with preempt:entry@gN against upstream dlv (DLVX_UPSTREAM_DLV) with a
// breakpoint on runtime.asyncPreempt and the condition runtime.curg.goid == N.
// Each op is a continue that ends at the next filtered stop; the hits on the
// other goroutine are evaluated and skipped in between. scripts/bench-preempt.sh
// turns the results into hits per second and a ratio.
func BenchmarkPreemptEntryFiltered(b *testing.B) {
	fixtures.Long(b, "starts debuggers")
	bin, err := fixtures.BuildErr("spin", fixtures.NoOpt)
	if err != nil {
		b.Fatal(err)
	}
	debuggers := []struct{ name, path, loc string }{
		{"dlvx", dlvxBin, "preempt:entry@g%d"},
		{"upstream", "", "runtime.asyncPreempt"}, // path: upstreamDlv
	}
	for _, d := range debuggers {
		b.Run(d.name, func(b *testing.B) {
			if d.name == "upstream" {
				d.path = upstreamDlv(b)
			}
			c := rpc2.NewClient(headless(b, d.path, bin, "-workers", "2"))
			g := spinningGoroutine(b, c)
			bp := &api.Breakpoint{}
			loc := d.loc
			if d.name == "dlvx" {
				loc = fmt.Sprintf(d.loc, g)
			} else {
				bp.Cond = fmt.Sprintf("runtime.curg.goid == %d", g)
			}
			created, err := c.CreateBreakpointWithExpr(bp, loc, nil, false)
			if err != nil {
				b.Fatalf("%s: break %s: %v", d.name, loc, err)
			}
			b.Logf("%s: %s at %#x, condition %q", d.name, loc, created.Addr, created.Cond)
			b.ResetTimer()
			for b.Loop() {
				state := <-c.Continue()
				if th := state.CurrentThread; state.Err != nil || th == nil || th.GoroutineID != g {
					b.Fatalf("%s: stop %+v (%v), want goroutine %d", d.name, th, state.Err, g)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hits/s")
		})
	}
}

// spinningGoroutine stops once in main.spin and returns that goroutine.
func spinningGoroutine(b *testing.B, c *rpc2.RPCClient) int64 {
	bp, err := c.CreateBreakpoint(&api.Breakpoint{FunctionName: "main.spin"})
	if err != nil {
		b.Fatal(err)
	}
	state := <-c.Continue()
	if state.Err != nil || state.CurrentThread == nil {
		b.Fatalf("continue to main.spin: %v", state.Err)
	}
	if _, err := c.ClearBreakpoint(bp.ID); err != nil {
		b.Fatal(err)
	}
	return state.CurrentThread.GoroutineID
}

// headless starts debugger (dlvx or dlv) headless on loopback and returns
// its address.
func headless(b *testing.B, debugger, bin string, args ...string) string {
	args = append([]string{"exec", "--headless", "--listen", "127.0.0.1:0", "--api-version", "2", bin, "--"}, args...)
	cmd := exec.Command(debugger, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	listening := regexp.MustCompile(`API server listening at: (127\.0\.0\.1:\d+)`)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			go func() {
				for sc.Scan() {
				}
			}()
			return m[1]
		}
	}
	b.Fatalf("%s exited without listening", debugger)
	return ""
}
