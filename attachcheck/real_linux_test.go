package attachcheck

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/internal/fixtures"
)

func TestMain(m *testing.M) {
	code := m.Run()
	fixtures.Cleanup()
	os.Exit(code)
}

// startReady runs a command that prints "ready PID" first, and returns it
// with that PID. The process is killed and reaped when the test ends.
func startReady(t *testing.T, name string, args ...string) (*exec.Cmd, int) {
	t.Helper()
	p := fixtures.StartReady(t, name, args...)
	return p.Cmd, p.PID
}

// startSleeper starts a non-Go process that waits.
func startSleeper(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "600")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGCONT)
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

// waitNoReap blocks until child pid reaches a state in options (WEXITED or
// WSTOPPED) without reaping it: waitid with WNOWAIT.
func waitNoReap(t *testing.T, pid int, options int) {
	t.Helper()
	const pPID, wNoWait = 1, 0x01000000
	var info [128]byte
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid), uintptr(unsafe.Pointer(&info[0])), uintptr(options|wNoWait), 0, 0)
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			t.Fatalf("waitid %d: %v", pid, errno)
		}
		return
	}
}

func diagnoseReal(t *testing.T, pid int, checks []*dwarfcheck.Check) *finding.Report {
	t.Helper()
	rep, _, err := Diagnose(Host(), pid, Options{BinaryChecks: checks})
	if err != nil {
		t.Fatal(err)
	}
	for _, ce := range rep.Errors {
		t.Errorf("check failed to run: %v", ce)
	}
	for _, p := range finding.Panics(rep.Errors) {
		t.Errorf("stack of the panic: %s", p.Stack)
	}
	return rep
}

func wantFirst(t *testing.T, rep *finding.Report, id string) *finding.Finding {
	t.Helper()
	got := ids(rep, finding.SevWarn)
	if len(got) == 0 || got[0] != id {
		t.Fatalf("findings %v, want %s first", got, id)
	}
	return find(rep, id)
}

func TestRealCleanProcess(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	_, pid := startReady(t, bin, "-n", "100000", "-pause", "10ms")
	start := time.Now()
	rep := diagnoseReal(t, pid, dwarfcheck.BinaryChecks)
	t.Logf("doctor --pid with every binary check: %v", time.Since(start))
	if got := ids(rep, finding.SevWarn); len(got) != 0 {
		t.Errorf("a -N -l Go process of our own user: findings %v, want none", got)
	}
	if find(rep, "EX-FREEZE") == nil {
		t.Errorf("want the EX-FREEZE note, got %v", ids(rep, 0))
	}
	if rep.GoVersion == "" || rep.Binary != bin {
		t.Errorf("report names %q (%q), want %s and its Go version", rep.Binary, rep.GoVersion, bin)
	}
}

func TestRealZombieAndStopped(t *testing.T) {
	z := exec.Command("true")
	if err := z.Start(); err != nil {
		t.Fatal(err)
	}
	defer z.Wait()
	waitNoReap(t, z.Process.Pid, syscall.WEXITED)
	wantFirst(t, diagnoseReal(t, z.Process.Pid, nil), "AT-STATE-ZOMBIE")

	s := startSleeper(t)
	if err := s.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waitNoReap(t, s.Process.Pid, syscall.WUNTRACED)
	f := wantFirst(t, diagnoseReal(t, s.Process.Pid, nil), "AT-STATE-STOPPED")
	if !hasFix(f, "kill -CONT "+strconv.Itoa(s.Process.Pid)) {
		t.Errorf("fix does not resume the process: %+v", f.Fixes)
	}
}

func TestRealGone(t *testing.T) {
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	wantFirst(t, diagnoseReal(t, c.Process.Pid, nil), "AT-STATE-GONE")
}

func TestRealTracer(t *testing.T) {
	s := startSleeper(t)
	pid := s.Process.Pid
	done := make(chan *finding.Report)
	go func() {
		// ptrace requests must come from the tracing thread.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := syscall.PtraceAttach(pid); err != nil {
			t.Error(err)
			close(done)
			return
		}
		var ws syscall.WaitStatus
		syscall.Wait4(pid, &ws, syscall.WALL, nil)
		rep, _, err := Diagnose(Host(), pid, Options{})
		if err := syscall.PtraceDetach(pid); err != nil {
			t.Errorf("detach: %v", err)
		}
		if err != nil {
			t.Error(err)
		}
		done <- rep
	}()
	rep := <-done
	if rep == nil {
		return
	}
	f := wantFirst(t, rep, "AT-TRACER")
	if ev := fmt.Sprint(f.Evidence); !strings.Contains(ev, fmt.Sprintf("tracer: pid %d ", os.Getpid())) || !strings.Contains(ev, filepath.Base(os.Args[0])) {
		t.Errorf("evidence does not name this test as the tracer: %s", ev)
	}
}

func TestRealNotGo(t *testing.T) {
	s := startSleeper(t)
	f := wantFirst(t, diagnoseReal(t, s.Process.Pid, dwarfcheck.BinaryChecks), "AT-NOTGO")
	if !hasFix(f, "gdb -p") {
		t.Errorf("fixes %+v, want gdb", f.Fixes)
	}
}

func TestRealDeletedAndReplacedExecutable(t *testing.T) {
	src := fixtures.Build(t, "worker", fixtures.NoOpt)
	bin := filepath.Join(t.TempDir(), "worker")
	copyFile(t, src, bin)
	_, pid := startReady(t, bin, "-n", "100000", "-pause", "10ms")
	if err := os.Remove(bin); err != nil {
		t.Fatal(err)
	}
	rep := diagnoseReal(t, pid, dwarfcheck.BinaryChecks)
	wantFirst(t, rep, "AT-EXEDEL")
	if rep.GoVersion == "" {
		t.Errorf("the binary doctor did not read the deleted executable through /proc/PID/exe")
	}
	copyFile(t, src, bin)
	wantFirst(t, diagnoseReal(t, pid, nil), "AT-EXEDEL-REPLACED")
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestRealPIDNamespace(t *testing.T) {
	fixtures.NeedRoot(t, "unshare makes a PID namespace")
	fixtures.NeedTool(t, "unshare")
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	cmd, inner := startReady(t, "unshare", "--pid", "--fork", "--kill-child", "--mount-proc", bin, "-n", "100000", "-pause", "10ms")
	s := &Snapshot{Env: Host()}
	kids := s.children(cmd.Process.Pid)
	if len(kids) != 1 {
		t.Fatalf("unshare has children %v, want the worker", kids)
	}
	rep := diagnoseReal(t, kids[0], nil)
	f := find(rep, "AT-PIDNS-NAMESPACED")
	if f == nil || !strings.Contains(fmt.Sprint(f.Evidence), fmt.Sprintf("NSpid: %d %d", kids[0], inner)) {
		t.Fatalf("want AT-PIDNS-NAMESPACED with NSpid %d %d, got %+v", kids[0], inner, rep.Findings)
	}
}

func TestRealGoRun(t *testing.T) {
	fixtures.Long(t, "go run compiles the fixture")
	cmd := exec.Command("go", "run", ".", "-n", "100000", "-pause", "10ms")
	cmd.Dir = fixtures.Dir("worker")
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-buildvcs=false")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // kill go and its child together
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	var child int
	sc := bufio.NewScanner(out)
	if !sc.Scan() {
		t.Fatal("go run printed nothing")
	}
	fmt.Sscanf(sc.Text(), "ready %d", &child)
	go io.Copy(io.Discard, out)
	f := find(diagnoseReal(t, cmd.Process.Pid, nil), "AT-PIDNS-GORUN")
	if f == nil || !hasFix(f, fmt.Sprintf("dlvx attach %d", child)) {
		t.Fatalf("want AT-PIDNS-GORUN naming child %d, got %+v", child, f)
	}
}

func TestRealYama(t *testing.T) {
	s, err := Take(Host(), os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("/proc/" + yamaPath)
	if err != nil {
		if s.Yama.Present {
			t.Errorf("no %s but Yama reads as present: %+v", yamaPath, s.Yama)
		}
		return
	}
	if want := strings.TrimSpace(string(data)); !s.Yama.Present || strconv.Itoa(s.Yama.Scope) != want {
		t.Errorf("Yama %+v, file says %s", s.Yama, want)
	}
}

// BenchmarkPreflight measures the attach preflight on a running -N -l Go
// process: the attach checks and the cheap binary checks dlvx attach runs.
func BenchmarkPreflight(b *testing.B) {
	bin, err := fixtures.BuildErr("worker", fixtures.NoOpt)
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "-n", "100000000", "-pause", "10ms")
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	checks := finding.Select(dwarfcheck.BinaryChecks, []string{"architecture", "dwarf-present", "separate-debug", "go-version"}, nil)
	b.ResetTimer()
	for range b.N {
		if _, _, err := Diagnose(Host(), cmd.Process.Pid, Options{BinaryChecks: checks}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRealArchitectureMismatch(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	_, pid := startReady(t, bin, "-n", "100000", "-pause", "10ms")
	env := Host()
	env.GOARCH = "arm64" // as if this amd64 process were seen by an arm64 debugger
	if runtime.GOARCH == "arm64" {
		env.GOARCH = "amd64"
	}
	rep, _, err := Diagnose(env, pid, Options{BinaryChecks: dwarfcheck.BinaryChecks})
	if err != nil {
		t.Fatal(err)
	}
	if find(rep, "ENV-ARCH") == nil {
		t.Errorf("want ENV-ARCH from the binary doctor on /proc/PID/exe, got %v", ids(rep, 0))
	}
}
