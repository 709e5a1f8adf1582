package main

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// A process whose text was changed by something other than a breakpoint
// instruction (here a byte written through /proc/PID/mem) no longer
// matches its executable: the doctor reports AT-TEXT-MISMATCH for the
// mapping, and repair refuses to write anything to the process.
func TestTextMismatchRefused(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tg := startTarget(t, bin, "-n", "3000", "-pause", "10ms")
	addr := neverCalled(t, bin)
	mem, orig := openMem(t, tg.PID, addr)
	patched := []byte{orig[0] ^ 0x01} // an instruction changed, not an int3
	if patched[0] == 0xcc {
		patched[0] = orig[0] ^ 0x02
	}
	if _, err := mem.WriteAt(patched, int64(addr)); err != nil {
		t.Fatal(err)
	}

	doctor, _ := exec.Command(dlvxBin, "doctor", "--pid", strconv.Itoa(tg.PID)).CombinedOutput()
	if !strings.Contains(string(doctor), "AT-TEXT-MISMATCH") || !strings.Contains(string(doctor), bin) {
		t.Errorf("doctor --pid does not report the mismatch of %s:\n%s", bin, doctor)
	}
	if strings.Contains(string(doctor), "AT-LEFTOVER-BP") {
		t.Errorf("doctor --pid reports a leftover breakpoint for a changed byte:\n%s", doctor)
	}
	out, err := exec.Command(dlvxBin, "repair", strconv.Itoa(tg.PID)).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "refusing to repair") || !strings.Contains(string(out), "no longer matches") {
		t.Errorf("repair of a mismatched process: %v\n%s", err, out)
	}
	got := make([]byte, 1)
	if _, err := mem.ReadAt(got, int64(addr)); err != nil || got[0] != patched[0] {
		t.Errorf("repair wrote to the process: %#x holds % x, the test wrote % x", addr, got, patched)
	}
	if st := procStatus(t, tg.PID); st != nil && stopped(st) {
		t.Errorf("the process was left stopped: State %s", st.StateText)
	} else if st != nil && st.TracerPid != 0 {
		t.Errorf("the process is still traced by %d", st.TracerPid)
	}

	if _, err := mem.WriteAt(orig, int64(addr)); err != nil {
		t.Fatal(err)
	}
	checkWholeText(t, tg.PID, bin)
	if last := tg.Finish(t); !strings.HasPrefix(last, "done ") {
		t.Errorf("target's last line %q, want done", last)
	}
}

// neverCalled returns an address inside a function the worker never calls
// in a normal run (fmt.Errorf: flag calls it only for a bad flag).
func neverCalled(t *testing.T, bin string) uint64 {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		if s.Name == "fmt.Errorf" && s.Size > 8 {
			return s.Value + 4
		}
	}
	t.Fatalf("%s has no fmt.Errorf", bin)
	return 0
}

// openMem opens process pid's /proc/PID/mem for writing (closed when the
// test ends) and returns it with the byte at addr.
func openMem(t *testing.T, pid int, addr uint64) (*os.File, []byte) {
	t.Helper()
	mem, err := os.OpenFile(fmt.Sprintf("/proc/%d/mem", pid), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mem.Close() })
	orig := make([]byte, 1)
	if _, err := mem.ReadAt(orig, int64(addr)); err != nil {
		t.Fatal(err)
	}
	return mem, orig
}
