package preempttrace

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// needEBPF skips (fails under CI) where this host cannot run the tracer.
func needEBPF(t *testing.T) {
	t.Helper()
	err := CheckEBPF()
	fixtures.Need(t, err == nil, "eBPF tracing: %v", err)
}

// spinVariants are the builds of spin both backends are compared on: three
// Go toolchains (this one, go1.25 and go1.27), optimized and not, PIE and
// not. Each is one short run per backend.
var spinVariants = []fixtures.Variant{
	fixtures.NoOpt,
	fixtures.PIE,
	{Name: "go1.25-pie", Flags: []string{"-buildmode=pie"}, Env: []string{"GOTOOLCHAIN=go1.25.0"}},
	{Name: "go1.27-optimized", Env: []string{"GOTOOLCHAIN=go1.27.0"}},
}

// TestEBPFEntryMatchesPtrace traces one program's preempt:entry with both
// backends: the sets of main.spin's preempted lines are equal (a rare
// preemption of churn may show in one run only).
func TestEBPFEntryMatchesPtrace(t *testing.T) {
	needEBPF(t)
	for _, v := range spinVariants {
		t.Run(v.Name, func(t *testing.T) {
			fixtures.NeedToolchain(t, v)
			bin := fixtures.Build(t, "spin", v)
			fast := collectSpin(t, EBPF, bin)
			slow := collectSpin(t, Ptrace, bin)
			if a, b := lineSet(fast), lineSet(slow); !equalSets(a, b) {
				t.Errorf("preempted lines: eBPF %v, ptrace %v", a, b)
			}
		})
	}
}

// minCompared is how many events a backend must deliver before its line
// set is compared: each of spin's three loop lines has over a fifth of the
// preemptions, so 30 events miss one with a chance under 1 in 1000.
const minCompared = 30

// collectSpin traces preempt:entry in one 2s run of bin; on a machine so
// loaded that the run had fewer than minCompared events it runs again,
// at most twice, so the comparison is not decided by a starved run.
func collectSpin(t *testing.T, trace func(Options) (*Summary, error), bin string) []Event {
	t.Helper()
	var events []Event
	for run := 0; run < 3 && len(events) < minCompared; run++ {
		more, _ := collect(t, trace, Options{Location: "preempt:entry", Args: []string{bin, "-for", "2s"}})
		checkSpinEvents(t, more)
		events = append(events, more...)
	}
	if len(events) < minCompared {
		t.Fatalf("%d events in three runs, want %d to compare line sets", len(events), minCompared)
	}
	return events
}

func lineSet(events []Event) map[LineKey]bool {
	m := map[LineKey]bool{}
	for _, e := range events {
		if e.Function == "main.spin" {
			m[LineKey{e.Function, e.File, e.Line}] = true
		}
	}
	return m
}

func equalSets(a, b map[LineKey]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// TestEBPFGoroutineFilter filters in the kernel to a goroutine seen in an
// unfiltered trace of the same process.
func TestEBPFGoroutineFilter(t *testing.T) {
	needEBPF(t)
	bin := fixtures.Build(t, "spin", fixtures.NoOpt)
	p := fixtures.StartReady(t, bin, "-for", "6s")
	events, _ := collect(t, EBPF, Options{Location: "preempt:entry", Pid: p.PID, For: time.Second})
	checkSpinEvents(t, events)
	g := events[0].Goroutine
	filtered, _ := collect(t, EBPF, Options{Location: "preempt:entry@g" + itoa(g), Pid: p.PID, For: time.Second})
	checkSpinEvents(t, filtered)
	for _, e := range filtered {
		if e.Goroutine != g {
			t.Errorf("filter @g%d delivered goroutine %d", g, e.Goroutine)
		}
	}
	checkHookText(t, bin, p.PID)
	if err := p.Wait(t); err != nil {
		t.Errorf("traced program did not exit normally: %v", err)
	}
}

// TestEBPFMemlockChild runs CheckEBPF in a child with a locked-memory
// limit below the ring buffer's size.
func TestEBPFMemlockChild(t *testing.T) {
	if os.Getenv("DLVX_TEST_MEMLOCK_CHILD") == "1" {
		var pe *PrereqError
		err := CheckEBPF()
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "ENV-EBPF-MEMLOCK") {
			t.Fatalf("CheckEBPF with a low memlock limit: %v, want a PrereqError naming ENV-EBPF-MEMLOCK", err)
		}
		return
	}
	needEBPF(t)
	sh := fixtures.NeedTool(t, "sh")
	cmd := exec.Command(sh, "-c", `ulimit -l 1024 && exec "$0" -test.run '^TestEBPFMemlockChild$' -test.count=1`, os.Args[0])
	cmd.Env = append(os.Environ(), "DLVX_TEST_MEMLOCK_CHILD=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

// TestLoadBiasRightAfterStart reads a PIE program's load bias the moment
// exec.Cmd.Start returns, when its auxv may not be written yet, and checks
// it against the executable's mapping at file offset 0 in /proc/PID/maps
// less that segment's link-time address.
func TestLoadBiasRightAfterStart(t *testing.T) {
	bin := fixtures.Build(t, "spin", fixtures.PIE)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	entry, first := f.Entry, uint64(0)
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_LOAD && prog.Off == 0 {
			first = prog.Vaddr
		}
	}
	f.Close()
	for i := 0; i < 50; i++ {
		cmd := exec.Command(bin, "-for", "10s")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		bias, err := loadBias(cmd.Process.Pid, entry, exited)
		if err == nil {
			if want := exeBase(t, cmd.Process.Pid) - first; bias != want || bias == 0 {
				err = fmt.Errorf("bias %#x, want %#x from /proc/PID/maps", bias, want)
			}
		}
		cmd.Process.Kill()
		<-exited
		if err != nil {
			t.Fatalf("start %d: %v", i, err)
		}
	}
}

// exeBase is where pid's executable is mapped at file offset 0.
func exeBase(t *testing.T, pid int) uint64 {
	t.Helper()
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		t.Fatal(err)
	}
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(maps), "\n") {
		f := strings.Fields(line)
		if len(f) == 6 && f[5] == exe && f[2] == "00000000" {
			start, err := strconv.ParseUint(strings.SplitN(f[0], "-", 2)[0], 16, 64)
			if err != nil {
				t.Fatal(err)
			}
			return start
		}
	}
	t.Fatalf("no mapping of %s at offset 0 in /proc/%d/maps", exe, pid)
	return 0
}
