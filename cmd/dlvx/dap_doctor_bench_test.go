package main

import (
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/dlvx/dlvx/service/dap/dapdoctor"
)

// BenchmarkDAPDoctorLatency measures what the doctor adds to the sessions
// VS Code runs, against upstream dlv at the pinned version
// (DLVX_UPSTREAM_DLV): dlv and dlvx take turns in every iteration, in
// alternating order, so that the load of a shared machine weighs on both
// alike, and the
// benchmark reports each one's median and the ratio of the medians.
//
//   - launch: launch the worker, bind a file:line breakpoint, run to it,
//     disconnect (the doctor runs on launch and finds nothing);
//   - launch-large: the same with dlvx's own 24 MB binary and main.main;
//   - attach: attach to a running optimized worker, configurationDone,
//     disconnect (preflight and doctor, with findings to send);
//   - unverified: launch a -trimpath build, set the editor's path, which
//     does not bind, disconnect (the doctor's findings, then its verdict,
//     read from the BinaryInfo Delve loaded for the session).
func BenchmarkDAPDoctorLatency(b *testing.B) {
	up := upstreamDlv(b)
	worker := fixtures.Build(b, "worker", fixtures.NoOpt)
	trim := fixtures.Build(b, "breakcases", trimpathNoOpt)
	trimSrc := filepath.Join(fixtures.Dir("breakcases"), "main.go")
	loop := fixtures.Line(b, "breakcases", "main.go", "loop-call")
	pid := startWorker(b, fixtures.Build(b, "worker", fixtures.Default))

	scenarios := []struct {
		name string
		run  func(b *testing.B, c *dapClient)
	}{
		{"launch", func(b *testing.B, c *dapClient) {
			c.response(c.request("launch", map[string]any{"mode": "exec", "program": worker, "args": []string{"-n", "1"}}))
			c.setBreakpointAndStop(b)
			c.response(c.request("disconnect", map[string]any{"terminateDebuggee": true}))
		}},
		{"launch-large", func(b *testing.B, c *dapClient) {
			// dlvx itself: a 24 MB binary with some 400 packages.
			c.response(c.request("launch", map[string]any{"mode": "exec", "program": dlvxBin, "args": []string{"version"}}))
			if bps := setFunctionBreakpoints(c, "main.main"); len(bps) != 1 || !bps[0].Verified {
				b.Fatalf("main.main in dlvx: %+v", bps)
			}
			c.response(c.request("configurationDone", nil))
			c.event("stopped")
			c.response(c.request("disconnect", map[string]any{"terminateDebuggee": true}))
		}},
		{"attach", func(b *testing.B, c *dapClient) {
			c.response(c.request("attach", map[string]any{"mode": "local", "processId": pid}))
			c.response(c.request("configurationDone", nil))
			c.response(c.request("disconnect", map[string]any{}))
		}},
		{"unverified", func(b *testing.B, c *dapClient) {
			c.response(c.request("launch", map[string]any{"mode": "exec", "program": trim}))
			if bps := setBreakpoints(c, trimSrc, loop); len(bps) != 1 || bps[0].Verified {
				b.Fatalf("the editor path bound in a -trimpath build: %+v", bps)
			}
			c.response(c.request("disconnect", map[string]any{"terminateDebuggee": true}))
		}},
	}
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			times := map[string][]time.Duration{}
			bins := []struct{ name, path string }{{"dlv", up}, {"dlvx", dlvxBin}}
			for b.Loop() {
				slices.Reverse(bins) // neither always goes first
				for _, bin := range bins {
					start := time.Now()
					srv := startDAPWith(b, bin.path)
					c := dialDAP(b, srv.addr)
					c.anySeq = bin.name == "dlv"
					c.response(c.request("initialize", map[string]any{"adapterID": "go"}))
					sc.run(b, c)
					if code := srv.exitCode(b); code != 0 {
						b.Fatalf("%s dap exited %d:\n%s", bin.name, code, srv.out)
					}
					c.conn.Close()
					times[bin.name] = append(times[bin.name], time.Since(start))
				}
			}
			dlv, dlvx := median(times["dlv"]), median(times["dlvx"])
			b.ReportMetric(float64(dlv.Microseconds())/1e3, "dlv-ms")
			b.ReportMetric(float64(dlvx.Microseconds())/1e3, "dlvx-ms")
			b.ReportMetric(float64(dlvx)/float64(dlv), "dlvx/dlv")
		})
	}
}

// median returns the middle value, or the mean of the two middle ones.
func median[T ~int64 | ~float64](d []T) T {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// BenchmarkDAPDoctorExamine is the doctor's own share of those sessions:
// what the layer runs before Delve sees a launch (the binary doctor) or
// an attach (preflight and doctor), and the first verdict on a -trimpath
// binary (Delve's BinaryInfo load) and a later one (reused). A fresh
// dapdoctor.Doctor per iteration, as in a new dlvx dap process.
func BenchmarkDAPDoctorExamine(b *testing.B) {
	opt := fixtures.Build(b, "worker", fixtures.Default)
	trim := fixtures.Build(b, "breakcases", trimpathNoOpt)
	trimSrc := filepath.Join(fixtures.Dir("breakcases"), "main.go")
	loop := fixtures.Line(b, "breakcases", "main.go", "loop-call")
	pid := startWorker(b, opt)
	b.Run("launch", func(b *testing.B) {
		for b.Loop() {
			if _, err := new(dapdoctor.Doctor).Examine(b.Context(), opt); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("launch-large", func(b *testing.B) {
		for b.Loop() {
			if _, err := new(dapdoctor.Doctor).Examine(b.Context(), dlvxBin); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("first-verdict-large", func(b *testing.B) {
		for b.Loop() {
			if why, err := new(dapdoctor.Doctor).ExplainFunction(b.Context(), dlvxBin, "main.mian"); err != nil || why == "" {
				b.Fatalf("no verdict: %v", err)
			}
		}
	})
	b.Run("attach", func(b *testing.B) {
		for b.Loop() {
			if _, err := new(dapdoctor.Doctor).Examine(b.Context(), procExe(pid)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("first-verdict", func(b *testing.B) {
		for b.Loop() {
			if why, err := new(dapdoctor.Doctor).ExplainLine(b.Context(), trim, trimSrc, loop); err != nil || why == "" {
				b.Fatalf("no verdict: %v", err)
			}
		}
	})
	b.Run("later-verdict", func(b *testing.B) {
		d := new(dapdoctor.Doctor)
		for b.Loop() {
			if why, err := d.ExplainLine(b.Context(), trim, trimSrc, loop); err != nil || why == "" {
				b.Fatalf("no verdict: %v", err)
			}
		}
	})
}

// procExe names the executable of a local process, as the DAP layer does.
func procExe(pid int) string { return "/proc/" + strconv.Itoa(pid) + "/exe" }
