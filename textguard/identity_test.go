package textguard

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// stat builds a /proc/PID/stat line for pid with command name comm,
// parent ppid and start time start (field 22).
func stat(pid int, comm string, ppid int, start string) string {
	f := []string{"S", strconv.Itoa(ppid)}
	for len(f) < 22-3 {
		f = append(f, "0")
	}
	f = append(f, start, "123456", "789")
	return strconv.Itoa(pid) + " (" + comm + ") " + strings.Join(f, " ") + "\n"
}

// TestParseStartOddNames: the command name may hold spaces, parentheses
// and digits that look like fields; only the last ')' ends it.
func TestParseStartOddNames(t *testing.T) {
	for _, comm := range []string{
		"worker", "my prog", "a) (b", ")", "((", ") 99 R 1 2 3 (", "x)", "  ", "",
		"(sd-pam)", "kworker/0:1-ev", "名前 テスト",
	} {
		data := stat(321, comm, 1, "5555")
		start, err := parseStart(data)
		if err != nil || start != 5555 {
			t.Errorf("comm %q: start %d, %v; want 5555", comm, start, err)
		}
		f, err := statFields(data)
		if err != nil || f[1] != "1" {
			t.Errorf("comm %q: fields %q, %v; want the parent 1 as field 4", comm, f, err)
		}
	}
}

func TestParseStartDamaged(t *testing.T) {
	for name, data := range map[string]string{
		"empty":              "",
		"no name":            "321 worker S 1 2 3",
		"too few fields":     "321 (worker) S 1 2 3\n",
		"start not a number": stat(321, "w", 1, "12x"),
		"negative start":     stat(321, "w", 1, "-5"),
	} {
		if start, err := parseStart(data); err == nil {
			t.Errorf("%s: start %d, want an error", name, start)
		}
	}
}

// TestReadIdentityOddName runs a real process whose command name (from
// the executable's name) holds spaces and parentheses and checks what
// /proc says of it: its start time, its parent, an identity that matches,
// and one with another start time that does not.
func TestReadIdentityOddName(t *testing.T) {
	sleep := fixtures.NeedTool(t, "sleep")
	odd := filepath.Join(t.TempDir(), "a) (b c) 1 R")
	data, err := os.ReadFile(sleep)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(odd, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(odd, "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	pid := cmd.Process.Pid
	if comm := readComm(t, pid); !strings.Contains(comm, ")") {
		t.Fatalf("comm %q: the test needs a name with ')'", comm)
	}
	id, err := ReadIdentity(pid)
	if err != nil || id.PID != pid || id.Start == 0 {
		t.Fatalf("ReadIdentity = %v, %v", id, err)
	}
	if ppid, err := parentPID(pid); err != nil || ppid != os.Getpid() {
		t.Errorf("parentPID = %d, %v; want %d", ppid, err, os.Getpid())
	}
	if AttachedProcess(pid) {
		t.Errorf("AttachedProcess(%d) = true for a child of this process", pid)
	}
	if err := id.Check(); err != nil {
		t.Errorf("Check of the live process: %v", err)
	}
	reused := Identity{PID: pid, Start: id.Start + 1}
	if err := reused.Check(); !errors.Is(err, ErrIdentityChanged) {
		t.Errorf("Check with another start time: %v, want ErrIdentityChanged", err)
	}
	if TracedByUs(pid) {
		t.Errorf("TracedByUs(%d) = true for a process nobody traces", pid)
	}
}

func readComm(t *testing.T, pid int) string {
	t.Helper()
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	return sc.Text()
}

// TestAliveEnds: a process is alive while it runs, not as a zombie, and
// not under another start time.
func TestAliveEnds(t *testing.T) {
	cmd := exec.Command(fixtures.NeedTool(t, "sleep"), "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	id, err := ReadIdentity(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if !id.Alive() {
		t.Error("a running process is not Alive")
	}
	if (Identity{PID: id.PID, Start: id.Start + 1}).Alive() {
		t.Error("another start time is Alive")
	}
	cmd.Process.Kill()
	// Not reaped yet: a zombie, until Wait.
	var info unix.Siginfo
	if err := unix.Waitid(unix.P_PID, id.PID, &info, unix.WEXITED|unix.WNOWAIT, nil); err != nil {
		t.Fatal(err)
	}
	if id.Alive() {
		t.Error("a zombie is Alive")
	}
}
