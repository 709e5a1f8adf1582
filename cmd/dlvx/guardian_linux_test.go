package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/dlvx/dlvx/textguard"
)

// A guardian that may not open the process's memory itself restores the
// text through the /proc/PID/mem dlvx passed it; without that file it is
// refused, says so, and leaves the journal for the doctor. Here the
// guardian runs as another user than the process; in practice it is
// Yama's ptrace_scope 1 (the guardian is no ancestor of the process)
// that refuses a non-root guardian the open, and the writes through a
// file dlvx opened are allowed.
func TestGuardianInheritedMem(t *testing.T) {
	needRoot(t, "setpriv")
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	dir := sharedDir(t, bin)
	tg := startTarget(t, "setpriv", append(asUser(1001)[1:], filepath.Join(dir, filepath.Base(bin)), "-n", "3000", "-pause", "10ms")...)
	id, err := textguard.ReadIdentity(tg.PID)
	if err != nil {
		t.Fatal(err)
	}
	addr := neverCalled(t, bin)
	mem, orig := openMem(t, tg.PID, addr)
	byteAt := func() byte {
		b := make([]byte, 1)
		if _, err := mem.ReadAt(b, int64(addr)); err != nil {
			t.Fatal(err)
		}
		return b[0]
	}
	for _, inherit := range []bool{true, false} {
		t.Run(fmt.Sprintf("inherited=%v", inherit), func(t *testing.T) {
			if _, err := mem.WriteAt([]byte{0xcc}, int64(addr)); err != nil { // what a dead dlvx left
				t.Fatal(err)
			}
			path := filepath.Join(dir, fmt.Sprintf("%d-%d.journal", id.PID, id.Start))
			j := &textguard.Journal{Target: id, Debugger: 1, Entries: []textguard.Entry{{Addr: addr, Original: orig, Instr: []byte{0xcc}}}}
			if err := j.Write(path); err != nil {
				t.Fatal(err)
			}
			if err := os.Chown(path, 1002, 1002); err != nil {
				t.Fatal(err)
			}
			out, err := runGuardianAs(t, 1002, filepath.Join(dir, "dlvx"), path, inherit, mem)
			_, statErr := os.Stat(path)
			if inherit {
				if err != nil || !strings.Contains(out, "restored 1 breakpoint instruction(s)") || byteAt() != orig[0] || statErr == nil {
					t.Fatalf("guardian with dlvx's memory file: %v, byte %#x (want %#x), journal kept %v:\n%s", err, byteAt(), orig[0], statErr == nil, out)
				}
				return
			}
			if err == nil || !strings.Contains(out, "permission denied") || byteAt() != 0xcc || statErr != nil {
				t.Errorf("guardian refused the memory: %v, byte %#x, journal kept %v:\n%s", err, byteAt(), statErr == nil, out)
			}
			if _, err := mem.WriteAt(orig, int64(addr)); err != nil { // what dlvx repair does, as root
				t.Fatal(err)
			}
			os.Remove(path)
		})
	}
	checkWholeText(t, tg.PID, bin)
	if last := tg.Finish(t); !strings.HasPrefix(last, "done ") {
		t.Errorf("target's last line %q, want done", last)
	}
}

// runGuardianAs runs "dlvx __guardian JOURNAL" as uid with a debugger
// already dead (its pipe's write end closed), passing mem as file
// descriptor 4 when inherit is set, and returns its output.
func runGuardianAs(t *testing.T, uid int, dlvx, journal string, inherit bool, mem *os.File) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	args := append(asUser(uid)[1:], dlvx, guardianCmd, journal)
	cmd := exec.Command("setpriv", args...)
	cmd.ExtraFiles = []*os.File{r}
	if inherit {
		cmd.ExtraFiles = append(cmd.ExtraFiles, mem)
	}
	w.Close()
	out, err := cmd.CombinedOutput()
	return string(out), err
}
