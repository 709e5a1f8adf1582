package main

import (
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/dlvx/dlvx/attachcheck"
)

// BenchmarkDAPMemory measures what a VS Code session costs the adapter
// process on a 24 MB binary (dlvx's own), against upstream dlv at the
// pinned version (DLVX_UPSTREAM_DLV), the two taking turns in every
// iteration in alternating order: initialize, launch the binary (exec),
// set a line breakpoint from another checkout and a misspelt function
// breakpoint, neither of which binds (dlvx explains both), then read the
// server's peak RSS (VmHWM) and disconnect. It reports each one's median
// peak RSS and their ratio, the time from the setBreakpoints request to
// its response (the first unverified-breakpoint verdict, for dlvx) and
// from the launch request to its response. DLVX_BENCH_BEFORE, when set,
// names another dlvx binary (an earlier commit's) run in the same turns.
func BenchmarkDAPMemory(b *testing.B) {
	type contender struct {
		name, path string
		peak       []float64 // MiB
		verdict    []time.Duration
		launch     []time.Duration
	}
	cs := []*contender{{name: "dlv", path: upstreamDlv(b)}, {name: "dlvx", path: dlvxBin}}
	if before := os.Getenv("DLVX_BENCH_BEFORE"); before != "" {
		cs = append(cs, &contender{name: "before", path: before})
	}
	editorMain := "/home/me/src/dlvx/cmd/dlvx/main.go" // another checkout's path
	line := 17
	for b.Loop() {
		slices.Reverse(cs) // no one always goes first
		for _, c := range cs {
			peak, verdict, launch := memorySession(b, c.name, c.path, editorMain, line)
			c.peak, c.verdict, c.launch = append(c.peak, peak), append(c.verdict, verdict), append(c.launch, launch)
		}
	}
	byName := map[string]*contender{}
	for _, c := range cs {
		byName[c.name] = c
		b.ReportMetric(median(c.peak), c.name+"-peak-MiB")
		b.ReportMetric(float64(median(c.verdict).Microseconds())/1e3, c.name+"-verdict-ms")
		b.ReportMetric(float64(median(c.launch).Microseconds())/1e3, c.name+"-launch-ms")
	}
	b.ReportMetric(median(byName["dlvx"].peak)/median(byName["dlv"].peak), "dlvx/dlv-peak")
	if c := byName["before"]; c != nil {
		b.ReportMetric(median(c.peak)/median(byName["dlv"].peak), "before/dlv-peak")
	}
}

// memorySession runs one session of BenchmarkDAPMemory with the adapter
// at path and returns its peak RSS in MiB and the two latencies.
func memorySession(b *testing.B, name, path, editorMain string, line int) (float64, time.Duration, time.Duration) {
	srv := startDAPWith(b, path)
	c := dialDAP(b, srv.addr)
	c.anySeq = name == "dlv"
	c.response(c.request("initialize", map[string]any{"adapterID": "go", "linesStartAt1": true, "supportsProgressReporting": true}))
	start := time.Now()
	c.response(c.request("launch", map[string]any{"mode": "exec", "program": dlvxBin, "args": []string{"version"}}))
	launch := time.Since(start)
	start = time.Now()
	if bps := setBreakpoints(c, editorMain, line); len(bps) != 1 || bps[0].Verified {
		b.Fatalf("%s: %s:%d bound: %+v", name, editorMain, line, bps)
	}
	verdict := time.Since(start)
	if bps := setFunctionBreakpoints(c, "main.mian"); len(bps) != 1 || bps[0].Verified {
		b.Fatalf("%s: main.mian bound: %+v", name, bps)
	}
	peak := vmHWM(b, srv.cmd.Process.Pid)
	c.response(c.request("disconnect", map[string]any{"terminateDebuggee": true}))
	if code := srv.exitCode(b); code != 0 {
		b.Fatalf("%s dap exited %d:\n%s", name, code, srv.out)
	}
	c.conn.Close()
	return peak, verdict, launch
}

// vmHWM returns the peak resident set size of process pid, in MiB.
func vmHWM(b *testing.B, pid int) float64 {
	st, err := attachcheck.ReadStatus("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	if st.VmHWM == 0 {
		b.Fatalf("no VmHWM in /proc/%d/status", pid)
	}
	return float64(st.VmHWM) / 1024
}
