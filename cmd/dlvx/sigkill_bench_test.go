package main

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/go-delve/delve/service/api"
	"github.com/go-delve/delve/service/rpc2"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// BenchmarkAttachedPreemptFiltered is BenchmarkPreemptEntryFiltered on an
// attached process, where dlvx removes its instructions at every stop and
// journals them: dlvx's preempt:entry@gN against upstream dlv's
// runtime.asyncPreempt with the condition runtime.curg.goid == N, paired
// stop by stop. The hits on the other goroutine are evaluated and skipped
// inside Continue, so only the filtered stops pay for the text writes. It
// reports each one's median time per filtered stop and the ratio.
func BenchmarkAttachedPreemptFiltered(b *testing.B) {
	fixtures.Long(b, "starts debuggers")
	bin := fixtures.Build(b, "spin", fixtures.NoOpt)
	goroutine := map[string]int64{}
	runs := pairedSessions(b, bin, []string{"-workers", "2"}, func(name string, c *rpc2.RPCClient) {
		g := spinningGoroutine(b, c)
		goroutine[name] = g
		bp, loc := &api.Breakpoint{}, fmt.Sprintf("preempt:entry@g%d", g)
		if name != "dlvx" {
			bp.Cond, loc = fmt.Sprintf("runtime.curg.goid == %d", g), "runtime.asyncPreempt"
		}
		if _, err := c.CreateBreakpointWithExpr(bp, loc, nil, false); err != nil {
			b.Fatalf("%s: break %s: %v", name, loc, err)
		}
	})
	loopPaired(b, runs, func(r *pairedRun, st *api.DebuggerState) {
		if th := st.CurrentThread; st.Err != nil || th == nil || th.GoroutineID != goroutine[r.name] {
			b.Fatalf("%s: stop %+v (%v), want goroutine %d", r.name, th, st.Err, goroutine[r.name])
		}
	})
}

// guardianWindow is the guardian's report of its own window, from the
// pipe's end to the restored text.
var guardianWindow = regexp.MustCompile(`restored \d+ breakpoint instruction\(s\) in pid \d+ (\S+) after`)

// BenchmarkDeathToRestore measures, per op, a headless dlvx attached with
// an armed breakpoint (on a function the target never calls) killed with
// SIGKILL: from the kill to the moment the process's text holds its
// original byte again, polled through /proc/PID/mem every 100µs (a busy
// poll would take the CPU the guardian needs on a small machine). It
// reports the medians of that window (death-to-restore-µs), of the kill
// to dlvx reaped (reaped-µs: the kernel's teardown, after which the
// guardian's pipe has ended) and of the guardian's own window
// (guardian-µs: from its wake-up to the restored text).
func BenchmarkDeathToRestore(b *testing.B) {
	fixtures.Long(b, "starts debuggers")
	bin := fixtures.Build(b, "worker", fixtures.NoOpt)
	var windows, reaped, reported []time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		tg := fixtures.StartReady(b, bin, "-n", "100000000", "-pause", "10ms")
		srv := startServer(b, dlvxBin, "attach", strconv.Itoa(tg.PID), "--headless", "--api-version", "2")
		c := rpc2.NewClient(srv.addr)
		bp, err := c.CreateBreakpoint(&api.Breakpoint{FunctionName: "fmt.Errorf"})
		if err != nil {
			b.Fatal(err)
		}
		c.Continue()
		mem, err := os.Open(fmt.Sprintf("/proc/%d/mem", tg.PID))
		if err != nil {
			b.Fatal(err)
		}
		// Armed: int3 (no Go function starts with the byte 0xcc).
		waitByte(b, mem, bp.Addr, func(v byte) bool { return v == 0xcc })
		b.StartTimer()
		start := time.Now()
		srv.cmd.Process.Signal(syscall.SIGKILL)
		gone := make(chan time.Duration, 1)
		go func() { srv.cmd.Process.Wait(); gone <- time.Since(start) }()
		waitByte(b, mem, bp.Addr, func(v byte) bool { return v != 0xcc })
		windows = append(windows, time.Since(start))
		b.StopTimer()
		reaped = append(reaped, <-gone)
		mem.Close()
		waitGuardianReport(b, srv.out, &reported)
		tg.Cmd.Process.Kill()
		tg.Cmd.Wait()
	}
	b.ReportMetric(medianMicros(windows), "death-to-restore-µs")
	b.ReportMetric(medianMicros(reaped), "reaped-µs")
	if len(reported) > 0 {
		b.ReportMetric(medianMicros(reported), "guardian-µs")
	}
}

// waitByte polls the byte at addr every 100µs until ok accepts it, for at
// most 10s.
func waitByte(b *testing.B, mem *os.File, addr uint64, ok func(byte) bool) {
	buf := make([]byte, 1)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := mem.ReadAt(buf, int64(addr)); err != nil {
			b.Fatalf("read %#x: %v", addr, err)
		}
		if ok(buf[0]) {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("byte at %#x still %#x after 10s", addr, buf[0])
		}
		time.Sleep(100 * time.Microsecond) // the measurement's resolution
	}
}

// waitGuardianReport waits up to 10s for the guardian's line in out and
// appends its window to ds.
func waitGuardianReport(b *testing.B, out *lockedBuffer, ds *[]time.Duration) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := guardianWindow.FindStringSubmatch(out.String()); m != nil {
			if d, err := time.ParseDuration(m[1]); err == nil {
				*ds = append(*ds, d)
			}
			return
		}
		time.Sleep(time.Millisecond) // bounded polling: the line comes from another process
	}
}

func medianMicros(ds []time.Duration) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return float64(s[len(s)/2].Nanoseconds()) / 1e3
}
