package main

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	godap "github.com/google/go-dap"

	"github.com/go-delve/delve/service/api"
	"github.com/go-delve/delve/service/rpc2"

	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/dlvx/dlvx/textguard"
)

// Targets for the SIGKILL tests: one whose breakpointed function runs
// about once a second (for 6s: a loaded machine may take seconds to
// attach, and killBetweenHits waits for a hit), one whose function runs
// thousands of times a second.
var (
	rareTarget = []string{"-n", "6", "-pause", "1s"}
	hotTarget  = []string{"-n", "30000", "-pause", "1us"}
)

// waitJournalGone waits until the journal of pid is gone: the guardian
// has restored the text (or found it clean) and exited. out is the
// debugger's output, where the guardian reports; a timeout names what it
// saw, so that a stuck guardian and a stopped target tell themselves apart.
func waitJournalGone(t *testing.T, pid int, out fmt.Stringer) {
	t.Helper()
	id, err := textguard.ReadIdentity(pid)
	if err != nil {
		return // the process is gone: Finish reports how
	}
	path := textguard.Path(id)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return
		}
		st := procStatus(t, pid)
		if st == nil || st.State == 'Z' {
			return // the process died (a thread ran into an instruction): Finish says how
		}
		if time.Now().After(deadline) {
			journal, _ := os.ReadFile(path)
			t.Fatalf("journal %s still there 30s after the debugger died: target State %s, TracerPid %d, %d guardian(s) running\njournal:\n%s\ndebugger's output:\n%s",
				path, st.StateText, st.TracerPid, guardians(pid), journal, out)
		}
		time.Sleep(5 * time.Millisecond) // bounded polling: the guardian signals nothing else
	}
}

// killBetweenHits SIGKILLs the debugger d of pid right after one of the
// stops in which it evaluates a false condition inside a continue: once
// a thread of pid has been in a tracing stop and every thread runs again.
// The breakpoint's next hit is then a whole pause of the target away. A
// kill during such a stop (a thread at the instruction, SIGSTOPs queued
// for the others) is what a guardian cannot cover: the target dies of
// SIGTRAP or stays stopped (see the README); under load those stops last
// long enough for a kill at a random moment to land in one.
func killBetweenHits(t *testing.T, pid int, d *os.Process) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	seen := false
	for {
		stopped, err := threadInTracingStop(pid)
		if err != nil {
			t.Fatalf("target ended before the debugger was killed: %v", err)
		}
		if seen && !stopped {
			break
		}
		seen = seen || stopped
		if time.Now().After(deadline) {
			t.Fatalf("pid %d: no breakpoint hit inside the continue within 30s", pid)
		}
		time.Sleep(100 * time.Microsecond) // bounded polling: a stop lasts milliseconds
	}
	if err := d.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
}

// threadInTracingStop reports whether a thread of pid is in a tracing
// stop (state t).
func threadInTracingStop(pid int) (bool, error) {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return false, err
	}
	for _, task := range tasks {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/stat", pid, task.Name()))
		if err != nil {
			continue // the thread ended
		}
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && stat[i+2] == 't' {
			return true, nil
		}
	}
	return false, nil
}

// checkSurvived checks what a SIGKILLed debugger must leave: the whole
// text as in the binary (addr, when not 0, named in the failure) and the
// target running on to its normal end.
func checkSurvived(t *testing.T, tg *fixtures.Process, bin string, addr uint64, out fmt.Stringer) {
	t.Helper()
	waitJournalGone(t, tg.PID, out)
	if addr != 0 {
		checkTextRestored(t, tg.PID, bin, addr)
	}
	checkWholeText(t, tg.PID, bin)
	if last := tg.Finish(t); !strings.HasPrefix(last, "done ") {
		t.Errorf("target's last line %q, want done", last)
	}
}

var atStop = regexp.MustCompile(`> \[Breakpoint 1\][^\n]*\n(?s:.*)\(dlv\) `)

func TestTerminalAttachSIGKILL(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	for _, target := range []struct {
		name string
		args []string
	}{{"rare", rareTarget}, {"hot", hotTarget}} {
		t.Run(target.name+"/at-stop", func(t *testing.T) {
			tg := startTarget(t, bin, target.args...)
			s := startInteractive(t, []string{"break main.work", "continue"}, "attach", strconv.Itoa(tg.PID), bin)
			out := s.out.waitFor(t, atStop)
			s.cmd.Process.Signal(syscall.SIGKILL)
			s.exitStatus(t)
			checkSurvived(t, tg, bin, breakpointAddr(t, out), s.out)
		})
	}
	// Armed: only a function called rarely can survive; see the README for
	// what a hot one cannot.
	t.Run("rare/armed", func(t *testing.T) {
		tg := startTarget(t, bin, rareTarget...)
		s := startInteractive(t, append(neverHit, "continue"), "attach", strconv.Itoa(tg.PID), bin)
		out := s.out.waitFor(t, bpSet)
		killBetweenHits(t, tg.PID, s.cmd.Process)
		s.exitStatus(t)
		checkSurvived(t, tg, bin, breakpointAddr(t, out), s.out)
	})
}

// TestTextCleanAtStop checks the remove-on-stop guarantee itself: at a
// stop the text at a breakpoint is the binary's, and reads through the
// debugger see the same bytes.
func TestTextCleanAtStop(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tg := startTarget(t, bin, "-n", "50", "-pause", "20ms")
	addr, _ := startHeadlessAttach(t, tg.PID)
	c := rpc2.NewClient(addr)
	bp, err := c.CreateBreakpoint(&api.Breakpoint{FunctionName: "main.work"})
	if err != nil {
		t.Fatal(err)
	}
	checkTextRestored(t, tg.PID, bin, bp.Addr) // created at a stop: not written
	for i := 0; i < 3; i++ {
		st := <-c.Continue()
		if st.Err != nil || st.CurrentThread == nil || st.CurrentThread.PC != bp.Addr {
			t.Fatalf("continue %d: %+v, want a stop at %#x", i, st, bp.Addr)
		}
		checkTextRestored(t, tg.PID, bin, bp.Addr)
	}
	mem, _, err := c.ExamineMemory(bp.Addr, 4)
	if err != nil {
		t.Fatal(err)
	}
	if mem[0] == 0xcc {
		t.Errorf("debugger reads % x at the breakpoint, want the binary's bytes", mem)
	}
	if _, err := c.Next(); err != nil {
		t.Fatalf("next: %v", err)
	}
	checkTextRestored(t, tg.PID, bin, bp.Addr)
	if err := c.Detach(false); err != nil && !strings.Contains(err.Error(), "shut down") {
		t.Fatal(err)
	}
	checkReleased(t, tg, bin, bp.Addr)
}

func TestHeadlessAttachSIGKILL(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tg := startTarget(t, bin, rareTarget...)
	addr, s := startHeadlessAttach(t, tg.PID)
	c := rpc2.NewClient(addr)
	bp, err := c.CreateBreakpoint(&api.Breakpoint{FunctionName: "main.work", Cond: "i < 0"})
	if err != nil {
		t.Fatal(err)
	}
	c.Continue()
	killBetweenHits(t, tg.PID, s.cmd.Process)
	s.exitStatus(t)
	checkSurvived(t, tg, bin, bp.Addr, s.out)
}

func TestDAPAttachSIGKILL(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tg := startTarget(t, bin, rareTarget...)
	srv := startDAP(t)
	c := dialDAP(t, srv.addr)
	c.response(c.request("initialize", map[string]any{"adapterID": "go"}))
	c.response(c.request("attach", map[string]any{"mode": "local", "processId": tg.PID}))
	resp, _ := c.response(c.request("setFunctionBreakpoints", map[string]any{
		"breakpoints": []map[string]any{{"name": "main.work", "condition": "i < 0"}},
	}))
	if bps := resp.(*godap.SetFunctionBreakpointsResponse).Body.Breakpoints; len(bps) != 1 || !bps[0].Verified {
		t.Fatalf("setFunctionBreakpoints main.work = %+v, want one verified", bps)
	}
	c.response(c.request("configurationDone", nil))
	killBetweenHits(t, tg.PID, srv.cmd.Process)
	srv.exitCode(t)
	checkSurvived(t, tg, bin, 0, srv.out)
}

// The guardian ends when the session does.
func TestGuardianRetiredOnDetach(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tg := startTarget(t, bin, "-n", "100", "-pause", "10ms")
	addr, s := startHeadlessAttach(t, tg.PID)
	c := rpc2.NewClient(addr)
	bp, err := c.CreateBreakpoint(&api.Breakpoint{FunctionName: "main.work", Cond: "i < 0"})
	if err != nil {
		t.Fatal(err)
	}
	c.Continue()
	waitRunning(t, tg.PID)
	if guardians(tg.PID) == 0 {
		t.Fatal("no guardian while the breakpoint is armed")
	}
	c.Halt()
	if err := c.Detach(false); err != nil && !strings.Contains(err.Error(), "shut down") {
		t.Fatal(err)
	}
	s.exitStatus(t)
	waitJournalGone(t, tg.PID, s.out)
	deadline := time.Now().Add(30 * time.Second)
	for guardians(tg.PID) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("guardian still running 30s after the detach")
		}
		time.Sleep(5 * time.Millisecond)
	}
	checkReleased(t, tg, bin, bp.Addr)
}

// guardians counts the guardian processes whose journal names pid.
func guardians(pid int) int { return len(guardianPIDs(pid)) }

// isGuardianOf reports whether process p is a guardian of pid's journal.
func isGuardianOf(p, pid int) bool {
	id, err := textguard.ReadIdentity(pid)
	if err != nil {
		return false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p))
	return err == nil && strings.Contains(string(cmdline), guardianCmd+"\x00"+textguard.Path(id))
}

// A guardian given a journal for a PID that now names another process
// refuses it and writes nothing.
func TestGuardianRefusesReusedPID(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tg := startTarget(t, bin, "-n", "20", "-pause", "10ms")
	id, err := textguard.ReadIdentity(tg.PID)
	if err != nil {
		t.Fatal(err)
	}
	addr := textStart(t, bin) + 0x40
	stale := textguard.Identity{PID: id.PID, Start: id.Start - 1} // the process that had the PID before
	j := &textguard.Journal{Target: stale, Debugger: os.Getpid(), Entries: []textguard.Entry{{Addr: addr, Original: []byte{0xcc}, Instr: []byte{0x90}}}}
	path := t.TempDir() + "/stale.journal"
	if err := j.Write(path); err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(dlvxBin, guardianCmd, path)
	cmd.ExtraFiles = []*os.File{r}
	w.Close() // the "debugger" is already dead
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "belongs to another process") {
		t.Fatalf("guardian on a reused PID: %v\n%s", err, out)
	}
	checkTextRestored(t, tg.PID, bin, addr)
	if last := tg.Finish(t); !strings.HasPrefix(last, "done ") {
		t.Errorf("target's last line %q, want done", last)
	}
}

// textStart returns the address of the binary's .text section.
func textStart(t *testing.T, bin string) uint64 {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return f.Section(".text").Addr
}

// checkWholeText compares the process's whole .text with the binary's.
func checkWholeText(t *testing.T, pid int, bin string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	text := f.Section(".text")
	want, err := text.Data()
	if err != nil {
		t.Fatal(err)
	}
	mem, err := os.Open(fmt.Sprintf("/proc/%d/mem", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	got := make([]byte, len(want))
	if _, err := mem.ReadAt(got, int64(text.Addr)); err != nil {
		t.Fatalf("read the target's text: %v", err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("target text at %#x is %#x, binary has %#x", text.Addr+uint64(i), got[i], want[i])
			return
		}
	}
}

func rpcClient(t *testing.T, addr string) *rpc2.RPCClient {
	t.Helper()
	return rpc2.NewClient(addr)
}

// createNeverHit creates a breakpoint on main.work whose condition is
// never true: the process runs with the instruction armed.
func createNeverHit(t *testing.T, c *rpc2.RPCClient) *api.Breakpoint {
	t.Helper()
	bp, err := c.CreateBreakpoint(&api.Breakpoint{FunctionName: "main.work", Cond: "i < 0"})
	if err != nil {
		t.Fatal(err)
	}
	return bp
}
