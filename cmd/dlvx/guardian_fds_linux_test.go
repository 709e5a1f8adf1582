package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/go-delve/delve/service/rpc2"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// The target's /proc/PID/mem, open for writing, is held by dlvx and its
// guardian only: the guardian starts no process (a telemetry child did,
// inheriting the file and outliving the debugger).
func TestGuardianAloneWithTheMemory(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tg := startTarget(t, bin, "-n", "3000", "-pause", "10ms")
	addr, s := startHeadlessAttach(t, tg.PID)
	c := rpc2.NewClient(addr)
	createNeverHit(t, c)
	c.Continue()
	waitRunning(t, tg.PID)
	g := waitGuardianWaiting(t, tg.PID)
	mem := fmt.Sprintf("/proc/%d/mem", tg.PID)
	for _, p := range fdHolders(mem) {
		if p != s.cmd.Process.Pid && p != g {
			cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p))
			t.Errorf("pid %d (%q) holds %s; want only dlvx %d and its guardian %d", p, cmdline, mem, s.cmd.Process.Pid, g)
		}
	}
	s.cmd.Process.Signal(syscall.SIGTERM) // detaches, retiring the guardian
	s.exitStatus(t)
}

// waitGuardianWaiting returns the guardian of pid once it has opened its
// pidfd of the process: it is then past its start-up, waiting.
func waitGuardianWaiting(t *testing.T, pid int) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, p := range guardianPIDs(pid) {
			for _, link := range fdLinks(p) {
				if link == "anon_inode:[pidfd]" {
					return p
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no guardian of pid %d waiting within 30s", pid)
		}
		time.Sleep(time.Millisecond) // bounded polling: the guardian is another process
	}
}

// guardianPIDs returns the guardian processes whose journal names pid.
func guardianPIDs(pid int) []int {
	var out []int
	for _, p := range allPIDs() {
		if isGuardianOf(p, pid) {
			out = append(out, p)
		}
	}
	return out
}

// fdHolders returns the processes with a file descriptor open on path.
func fdHolders(path string) []int {
	var out []int
	for _, p := range allPIDs() {
		for _, link := range fdLinks(p) {
			if link == path {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

func fdLinks(pid int) []string {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, _ := os.ReadDir(dir)
	var links []string
	for _, e := range ents {
		if l, err := os.Readlink(dir + "/" + e.Name()); err == nil {
			links = append(links, l)
		}
	}
	return links
}

func allPIDs() []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		if p, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, p)
		}
	}
	return out
}
