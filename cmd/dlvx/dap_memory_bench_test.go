package main

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
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
		b.ReportMetric(medianFloat(c.peak), c.name+"-peak-MiB")
		b.ReportMetric(float64(median(c.verdict).Microseconds())/1e3, c.name+"-verdict-ms")
		b.ReportMetric(float64(median(c.launch).Microseconds())/1e3, c.name+"-launch-ms")
	}
	b.ReportMetric(medianFloat(byName["dlvx"].peak)/medianFloat(byName["dlv"].peak), "dlvx/dlv-peak")
	if c := byName["before"]; c != nil {
		b.ReportMetric(medianFloat(c.peak)/medianFloat(byName["dlv"].peak), "before/dlv-peak")
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
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			var kib float64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%f kB", &kib); err != nil {
				b.Fatalf("VmHWM %q: %v", rest, err)
			}
			return kib / 1024
		}
	}
	b.Fatalf("no VmHWM in /proc/%d/status", pid)
	return 0
}

// medianFloat returns the middle value, or the mean of the two middle ones.
func medianFloat(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
