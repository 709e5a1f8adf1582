package main

import (
	"fmt"
	"io"
	"os/exec"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// BenchmarkDAPLaunchToBreakpoint measures a whole VS Code-like session:
// start the DAP server, initialize, launch the worker, set a file:line
// breakpoint, run to it, disconnect and wait for the server to exit. The
// dlv case (upstream at the pinned version, DLVX_UPSTREAM_DLV) is the
// baseline for the latency the layer adds.
func BenchmarkDAPLaunchToBreakpoint(b *testing.B) {
	worker := fixtures.Build(b, "worker", fixtures.NoOpt)
	for _, name := range []string{"dlv", "dlvx"} {
		b.Run(name, func(b *testing.B) {
			bin := dlvxBin
			if name == "dlv" {
				bin = upstreamDlv(b)
			}
			for b.Loop() {
				srv := startDAPWith(b, bin)
				c := dialDAP(b, srv.addr)
				c.anySeq = name == "dlv"
				c.response(c.request("initialize", map[string]any{"adapterID": "go"}))
				c.response(c.request("launch", map[string]any{"mode": "exec", "program": worker, "args": []string{"-n", "1"}}))
				c.setBreakpointAndStop(b)
				c.response(c.request("disconnect", map[string]any{"terminateDebuggee": true}))
				if code := srv.exitCode(b); code != 0 {
					b.Fatalf("%s dap exited %d:\n%s", name, code, srv.out)
				}
				c.conn.Close()
			}
		})
	}
}

// BenchmarkDAPAttach measures attaching to a running worker and detaching:
// start the DAP server, initialize, attach, configurationDone, disconnect
// (the worker runs on), wait for the server to exit.
func BenchmarkDAPAttach(b *testing.B) {
	worker := fixtures.Build(b, "worker", fixtures.NoOpt)
	for _, name := range []string{"dlv", "dlvx"} {
		b.Run(name, func(b *testing.B) {
			bin := dlvxBin
			if name == "dlv" {
				bin = upstreamDlv(b)
			}
			pid := startWorker(b, worker)
			for b.Loop() {
				srv := startDAPWith(b, bin)
				c := dialDAP(b, srv.addr)
				c.anySeq = name == "dlv"
				c.response(c.request("initialize", map[string]any{"adapterID": "go"}))
				c.response(c.request("attach", map[string]any{"mode": "local", "processId": pid}))
				c.response(c.request("configurationDone", nil))
				c.response(c.request("disconnect", map[string]any{}))
				if code := srv.exitCode(b); code != 0 {
					b.Fatalf("%s dap exited %d:\n%s", name, code, srv.out)
				}
				c.conn.Close()
			}
		})
	}
}

// startWorker runs the worker for longer than any benchmark and returns its
// pid once it is ready.
func startWorker(b *testing.B, bin string) int {
	b.Helper()
	cmd := exec.Command(bin, "-n", "1000000", "-pause", "10ms")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var pid int
	if _, err := fmt.Fscanf(stdout, "ready %d\n", &pid); err != nil {
		b.Fatalf("worker: %v", err)
	}
	go io.Copy(io.Discard, stdout)
	return pid
}
