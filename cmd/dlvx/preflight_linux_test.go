package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
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

	"github.com/dlvx/dlvx/internal/fixtures"
)

// Helper modes of this test binary, chosen by environment before the tests
// run: a command under a seccomp filter, and a non-dumpable target.
const (
	helperSeccompExec = "DLVX_TEST_SECCOMP_EXEC" // exec os.Args[1:] with ptrace denied
	helperNoDump      = "DLVX_TEST_NODUMP"       // print "ready PID", wait for stdin to close
)

func init() {
	switch {
	case os.Getenv(helperSeccompExec) == "1":
		seccompExec()
	case os.Getenv(helperNoDump) == "1":
		noDumpTarget()
	}
}

// seccompExec installs a seccomp filter that fails ptrace with EPERM on
// this thread, then execs os.Args[1:] there: the new program keeps it.
func seccompExec() {
	runtime.LockOSThread()
	type sockFilter struct {
		code   uint16
		jt, jf uint8
		k      uint32
	}
	const (
		ldAbsW   = 0x20 // BPF_LD|BPF_W|BPF_ABS: seccomp_data.nr at offset 0
		jeqK     = 0x15 // BPF_JMP|BPF_JEQ|BPF_K
		retK     = 0x06 // BPF_RET|BPF_K
		retErrno = 0x00050000
		retAllow = 0x7fff0000
	)
	prog := []sockFilter{
		{ldAbsW, 0, 0, 0},
		{jeqK, 0, 1, syscall.SYS_PTRACE},
		{retK, 0, 0, retErrno | uint32(syscall.EPERM)},
		{retK, 0, 0, retAllow},
	}
	fprog := struct {
		len    uint16
		filter *sockFilter
	}{uint16(len(prog)), &prog[0]}
	const prSetNoNewPrivs, seccompModeFilter = 38, 2
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, prSetNoNewPrivs, 1, 0, 0, 0, 0); e != 0 {
		fmt.Fprintln(os.Stderr, "no_new_privs:", e)
		os.Exit(3)
	}
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, syscall.PR_SET_SECCOMP, seccompModeFilter, uintptr(unsafe.Pointer(&fprog)), 0, 0, 0); e != 0 {
		fmt.Fprintln(os.Stderr, "seccomp:", e)
		os.Exit(3)
	}
	env := slicesDeleteFunc(os.Environ(), func(s string) bool { return strings.HasPrefix(s, helperSeccompExec+"=") })
	err := syscall.Exec(os.Args[1], os.Args[1:], env)
	fmt.Fprintln(os.Stderr, "exec:", err)
	os.Exit(3)
}

func slicesDeleteFunc(s []string, del func(string) bool) []string {
	var out []string
	for _, v := range s {
		if !del(v) {
			out = append(out, v)
		}
	}
	return out
}

// noDumpTarget makes this process non-dumpable and waits.
func noDumpTarget() {
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_DUMPABLE, 0, 0); e != 0 {
		fmt.Fprintln(os.Stderr, "prctl:", e)
		os.Exit(3)
	}
	fmt.Printf("ready %d\n", os.Getpid())
	bufio.NewReader(os.Stdin).ReadString('\n')
	os.Exit(0)
}

// sharedDir returns a directory other users can read and execute from,
// holding copies of dlvx and of the files given.
func sharedDir(t *testing.T, files ...string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "dlvx-shared-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	for _, f := range append([]string{dlvxBin}, files...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// needRoot needs root and tools, through fixtures.NeedRoot and NeedTool.
func needRoot(t *testing.T, tools ...string) {
	t.Helper()
	fixtures.NeedRoot(t, "creates users' processes and drops capabilities")
	for _, tool := range tools {
		fixtures.NeedTool(t, tool)
	}
}

// asUser returns the argv prefix running a command as uid (and gid).
func asUser(uid int) []string {
	id := strconv.Itoa(uid)
	return []string{"setpriv", "--reuid=" + id, "--regid=" + id, "--clear-groups"}
}

// failedAttach runs `dlvx attach PID` through prefix, expects it to fail,
// and checks that both the preflight and the attach error name cause.
func failedAttach(t *testing.T, dir string, pid int, cause string, prefix ...string) string {
	t.Helper()
	argv := append(prefix, filepath.Join(dir, "dlvx"), "attach", strconv.Itoa(pid), "--allow-non-terminal-interactive=true")
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	text := ansi.ReplaceAllString(string(out), "")
	if err == nil {
		t.Fatalf("attach succeeded, want it refused:\n%s", text)
	}
	if !strings.Contains(text, "dlvx: preflight error "+cause) {
		t.Errorf("preflight did not report %s:\n%s", cause, text)
	}
	if !strings.Contains(text, "could not attach to pid "+strconv.Itoa(pid)+": ") || !strings.Contains(text, "("+cause) {
		t.Errorf("attach error does not name %s:\n%s", cause, text)
	}
	if strings.Contains(text, "try writing \"0\" to /proc/sys/kernel/yama/ptrace_scope") {
		t.Errorf("Delve's Yama advice leaked through:\n%s", text)
	}
	return text
}

func TestAttachRefusedOtherUser(t *testing.T) {
	needRoot(t, "setpriv")
	dir := sharedDir(t, fixtures.Build(t, "worker", fixtures.NoOpt))
	tg := startTarget(t, "setpriv", append(asUser(1001)[1:], filepath.Join(dir, "worker-noopt"), "-n", "100000", "-pause", "10ms")...)
	failedAttach(t, dir, tg.PID, "AT-USER", asUser(1002)...)
	// Root without CAP_SYS_PTRACE, as in a default container.
	failedAttach(t, dir, tg.PID, "AT-CONTAINER-CAP", "setpriv", "--bounding-set=-sys_ptrace", "--inh-caps=-sys_ptrace")
}

func TestAttachRefusedNonDumpable(t *testing.T) {
	needRoot(t, "setpriv")
	dir := sharedDir(t, os.Args[0])
	argv := append(asUser(1001), filepath.Join(dir, filepath.Base(os.Args[0])))
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), helperNoDump+"=1")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	var pid int
	if _, err := fmt.Fscanf(stdout, "ready %d\n", &pid); err != nil {
		t.Fatalf("non-dumpable helper: %v", err)
	}
	failedAttach(t, dir, pid, "AT-USER-NONDUMPABLE", asUser(1001)...)
}

func TestAttachRefusedSeccomp(t *testing.T) {
	needRoot(t)
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	dir := sharedDir(t)
	tg := startTarget(t, bin, "-n", "100000", "-pause", "10ms")
	cmd := exec.Command(os.Args[0], filepath.Join(dir, "dlvx"), "attach", strconv.Itoa(tg.PID), "--allow-non-terminal-interactive=true")
	cmd.Env = append(os.Environ(), helperSeccompExec+"=1")
	out, err := cmd.CombinedOutput()
	text := ansi.ReplaceAllString(string(out), "")
	if err == nil || !strings.Contains(text, "dlvx: preflight error AT-CONTAINER-SECCOMP") || !strings.Contains(text, "(AT-CONTAINER-SECCOMP") {
		t.Fatalf("want a refused attach naming AT-CONTAINER-SECCOMP (err %v):\n%s", err, text)
	}
}

func TestAttachRefusedTracedByGDB(t *testing.T) {
	needRoot(t, "gdb")
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	dir := sharedDir(t)
	tg := startTarget(t, bin, "-n", "300", "-pause", "10ms")
	// gdb attaches, then blocks in its shell command until stdin closes;
	// closing it lets gdb detach and quit.
	gdb := exec.Command("gdb", "-batch", "-nx", "-p", strconv.Itoa(tg.PID), "-ex", "shell read line", "-ex", "detach")
	gdbIn, _ := gdb.StdinPipe()
	var gdbOut bytes.Buffer
	gdb.Stdout, gdb.Stderr = &gdbOut, &gdbOut
	if err := gdb.Start(); err != nil {
		t.Fatal(err)
	}
	defer gdb.Process.Kill()
	waitTraced(t, tg.PID)
	text := failedAttach(t, dir, tg.PID, "AT-TRACER")
	if !strings.Contains(text, "gdb") {
		t.Errorf("the tracer is not named gdb:\n%s", text)
	}
	gdbIn.Close()
	gdbDone := make(chan error, 1)
	go func() { gdbDone <- gdb.Wait() }()
	select {
	case err := <-gdbDone:
		if err != nil {
			t.Fatalf("gdb: %v\n%s", err, gdbOut.String())
		}
	case <-time.After(time.Minute):
		t.Fatalf("gdb did not detach and quit:\n%s", gdbOut.String())
	}
	if last := tg.Finish(t); !strings.HasPrefix(last, "done ") {
		t.Errorf("target's last line %q, want done", last)
	}
}

// waitTraced waits until pid has a tracer.
func waitTraced(t *testing.T, pid int) {
	t.Helper()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(time.Minute)
	for {
		if st := procStatus(t, pid); st != nil && st.TracerPid != 0 {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("pid %d never became traced", pid)
		}
	}
}

func TestAttachFromOtherPIDNamespace(t *testing.T) {
	needRoot(t, "unshare")
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	dir := sharedDir(t)
	tg := startTarget(t, bin, "-n", "100000", "-pause", "10ms")
	text := failedAttach(t, dir, tg.PID, "AT-STATE-GONE", "unshare", "--pid", "--fork", "--kill-child", "--mount-proc")
	if !strings.Contains(text, "dlvx: preflight warning AT-PIDNS-HOST") {
		t.Errorf("preflight inside a PID namespace does not warn about host PIDs:\n%s", text)
	}
}

func TestDoctorPID(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tg := startTarget(t, bin, "-n", "100000", "-pause", "10ms")
	var out, errOut bytes.Buffer
	if code := runDoctorPID(&out, &errOut, tg.PID, nil, doctorOptions{}); code != 0 {
		t.Errorf("doctor --pid on a -N -l worker: exit %d, want 0\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), bin) {
		t.Errorf("report does not name the executable %s:\n%s", bin, out.String())
	}

	out.Reset()
	if code := runDoctorPID(&out, &errOut, tg.PID, nil, doctorOptions{only: []string{"freeze"}, sev: map[string]string{"EX-FREEZE": "error"}}); code != 1 || !strings.Contains(out.String(), "EX-FREEZE") {
		t.Errorf("--only freeze --severity EX-FREEZE=error: exit %d, want 1 with EX-FREEZE\n%s%s", code, out.String(), errOut.String())
	}
	if code := runDoctorPID(&out, &errOut, tg.PID, nil, doctorOptions{only: []string{"no-such-check"}}); code != 2 {
		t.Errorf("--only with an unknown check: exit %d, want 2", code)
	}

	sleeper := exec.Command("sleep", "600")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { sleeper.Process.Kill(); sleeper.Wait() }()
	out.Reset()
	if code := runDoctorPID(&out, &errOut, sleeper.Process.Pid, nil, doctorOptions{json: true}); code != 1 {
		t.Errorf("doctor --pid on sleep: exit %d, want 1", code)
	}
	var doc struct {
		Findings []struct {
			ID string `json:"id"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out.String())
	}
	if len(doc.Findings) == 0 || doc.Findings[0].ID != "AT-NOTGO" {
		t.Errorf("findings %+v, want AT-NOTGO first", doc.Findings)
	}
}

func TestAttachStoppedProcess(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tg := startTarget(t, bin, "-n", "50", "-pause", "10ms")
	if err := tg.Cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(time.Minute)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for st := procStatus(t, tg.PID); st == nil || st.State != 'T'; st = procStatus(t, tg.PID) {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("pid %d never stopped: %+v", tg.PID, st)
		}
	}
	out := startDlvx(t, t.TempDir(), []string{"break main.work", "continue"}, "attach", strconv.Itoa(tg.PID), bin).wait(t)
	if !strings.Contains(out, "dlvx: preflight warning AT-STATE-STOPPED") {
		t.Errorf("no AT-STATE-STOPPED warning before attaching:\n%s", out)
	}
	if got := stops(out); len(got) != 1 || got[0].fn != "main.work" {
		t.Fatalf("want one stop in main.work (the session resumes the process), got %v\n%s", got, out)
	}
	checkReleased(t, tg, bin, breakpointAddr(t, out))
}

func TestAttachRefusedTracedByHeadlessDlvx(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tg := startTarget(t, bin, "-n", "300", "-pause", "10ms")
	addr, first := startHeadlessAttach(t, tg.PID)
	text := failedAttach(t, sharedDir(t), tg.PID, "AT-TRACER")
	if !strings.Contains(text, "dlvx connect "+addr) {
		t.Errorf("the advice does not name the tracer's address %s:\n%s", addr, text)
	}
	// Leave the target to run on: the first session detaches on SIGTERM.
	first.cmd.Process.Signal(syscall.SIGTERM)
	// 0: Delve's headless SIGTERM; 143: dlvx's, when the attach was still
	// finishing. Both detach.
	if status, out := first.exitStatus(t); status != 0 && status != 128+15 {
		t.Fatalf("first dlvx exited %d (%v):\n%s", status, first.cmd.ProcessState, out)
	}
	if last := tg.Finish(t); !strings.HasPrefix(last, "done ") {
		t.Errorf("target's last line %q, want done", last)
	}
}
