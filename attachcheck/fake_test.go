package attachcheck

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/finding"
)

// fakeHost is a fake /proc tree and filesystem root for one test. File
// owners are injected (Env.FileOwner), so it needs no root.
type fakeHost struct {
	t     *testing.T
	env   *Env
	uid   int            // the unprivileged user of the test's processes
	self  int            // the debugger's PID
	owner map[string]int // path below env.Proc → the uid owning it
}

const capPtrace = "0000000000080000"

func newFakeHost(t *testing.T) *fakeHost {
	dir := t.TempDir()
	h := &fakeHost{t: t, uid: 1000, self: 100, owner: map[string]int{}}
	h.env = &Env{Proc: filepath.Join(dir, "proc"), Root: filepath.Join(dir, "root"), GOARCH: "amd64",
		Getenv: func(string) string { return "" }, FileOwner: h.fileOwner}
	h.mkdir(h.env.Root)
	h.debugger(h.uid, "0000000000000000", "pid:[4026531836]")
	h.write("self/mountinfo", "22 1 0:21 / /proc rw,nosuid,nodev,noexec - proc proc rw\n")
	return h
}

func (h *fakeHost) mkdir(p string) {
	if err := os.MkdirAll(p, 0o755); err != nil {
		h.t.Fatal(err)
	}
}

// write creates a file below the fake /proc.
func (h *fakeHost) write(rel, content string) {
	p := filepath.Join(h.env.Proc, rel)
	h.mkdir(filepath.Dir(p))
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

// chown makes uid the owner of a file below the fake /proc.
func (h *fakeHost) chown(rel string, uid int) { h.owner[filepath.Join(h.env.Proc, rel)] = uid }

func (h *fakeHost) fileOwner(path string) (int, error) {
	uid, ok := h.owner[path]
	if !ok {
		return -1, fmt.Errorf("fake /proc: no owner for %s", path)
	}
	return uid, nil
}

func (h *fakeHost) link(rel, target string) {
	p := filepath.Join(h.env.Proc, rel)
	h.mkdir(filepath.Dir(p))
	os.Remove(p)
	if err := os.Symlink(target, p); err != nil {
		h.t.Fatal(err)
	}
}

func status(name string, pid, ppid, uid int, state, capEff string, extra ...string) string {
	s := fmt.Sprintf("Name:\t%s\nState:\t%s\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n"+
		"Uid:\t%d\t%d\t%d\t%d\nGid:\t%d\t%d\t%d\t%d\nNSpid:\t%d\nThreads:\t3\nCapEff:\t%s\nSeccomp:\t0\n",
		name, state, pid, ppid, uid, uid, uid, uid, uid, uid, uid, uid, pid, capEff)
	for _, e := range extra {
		k, _, _ := strings.Cut(e, ":")
		s = replaceField(s, k, e)
	}
	return s
}

// replaceField replaces the line of key in a status text, or appends it.
func replaceField(s, key, line string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, key+":") {
			lines[i] = line
			return strings.Join(lines, "\n") + "\n"
		}
	}
	return s + line + "\n"
}

func (h *fakeHost) debugger(uid int, capEff, ns string) {
	h.write("self/status", status("dlvx", h.self, 1, uid, "R (running)", capEff))
	h.link("self/ns/pid", ns)
}

// process adds a process owned (in /proc) by uid, running exe.
func (h *fakeHost) process(pid, ppid, uid int, exe string, cmdline []string, extra ...string) {
	h.write(fmt.Sprint(pid, "/status"), status(filepath.Base(exe), pid, ppid, uid, "S (sleeping)", "0", extra...))
	h.write(fmt.Sprint(pid, "/cmdline"), strings.Join(cmdline, "\x00")+"\x00")
	h.link(fmt.Sprint(pid, "/exe"), exe)
	h.link(fmt.Sprint(pid, "/ns/pid"), "pid:[4026531836]")
	h.chown(fmt.Sprint(pid, "/status"), uid)
}

func (h *fakeHost) yama(scope string, procSysReadOnly bool) {
	h.write(yamaPath, scope+"\n")
	if procSysReadOnly {
		h.write("self/mountinfo", "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"+
			"23 22 0:21 /sys /proc/sys ro,nosuid,relatime - proc proc rw\n")
	}
}

func (h *fakeHost) diagnose(pid int) *finding.Report {
	h.t.Helper()
	rep, _, err := Diagnose(h.env, pid, Options{})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, ce := range rep.Errors {
		h.t.Errorf("check failed to run: %v", ce)
	}
	for _, p := range finding.Panics(rep.Errors) {
		h.t.Errorf("stack of the panic: %s", p.Stack)
	}
	return rep
}

func ids(rep *finding.Report, min finding.Severity) []string {
	var out []string
	for _, f := range rep.Findings {
		if f.Severity >= min {
			out = append(out, f.ID)
		}
	}
	return out
}

func find(rep *finding.Report, id string) *finding.Finding {
	for i := range rep.Findings {
		if rep.Findings[i].ID == id {
			return &rep.Findings[i]
		}
	}
	return nil
}

func hasFix(f *finding.Finding, word string) bool {
	for _, fx := range f.Fixes {
		if strings.Contains(fx.Summary+" "+fx.CommandLine(), word) {
			return true
		}
	}
	return false
}

func TestYamaScopes(t *testing.T) {
	tests := []struct {
		name     string
		scope    string
		readOnly bool
		ppid     int    // the target's parent: 100 is the debugger
		capEff   string // the debugger's
		want     []string
		sysctl   bool // the fixes offer lowering the scope
	}{
		{"scope0", "0", false, 1, "0", nil, false},
		{"scope1", "1", false, 1, "0", []string{"AT-YAMA-1"}, true},
		{"scope1/read-only", "1", true, 1, "0", []string{"AT-YAMA-1"}, false},
		{"scope1/descendant", "1", false, 100, "0", nil, false},
		{"scope1/cap", "1", false, 1, capPtrace, nil, false},
		{"scope2", "2", false, 100, "0", []string{"AT-YAMA-2"}, true},
		{"scope2/cap", "2", false, 1, capPtrace, nil, false},
		{"scope3/cap", "3", false, 100, capPtrace, []string{"AT-YAMA-3"}, false},
		{"scope3/read-only", "3", true, 1, "0", []string{"AT-YAMA-3"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newFakeHost(t)
			h.debugger(h.uid, tc.capEff, "pid:[4026531836]")
			h.yama(tc.scope, tc.readOnly)
			h.process(200, tc.ppid, h.uid, "/bin/app", []string{"/bin/app"})
			rep := h.diagnose(200)
			if got := ids(rep, finding.SevWarn); !slices.Equal(got, tc.want) {
				t.Fatalf("findings %v, want %v", got, tc.want)
			}
			if len(tc.want) == 0 {
				return
			}
			f := find(rep, tc.want[0])
			if got := hasFix(f, "sysctl kernel.yama"); got != tc.sysctl {
				t.Errorf("sysctl fix offered = %v, want %v: %+v", got, tc.sysctl, f.Fixes)
			}
			if tc.readOnly && !strings.Contains(fmt.Sprint(f.Evidence), "read-only") {
				t.Errorf("evidence does not say /proc/sys is read-only: %+v", f.Evidence)
			}
			if tc.scope == "3" && !hasFix(f, "reboot") {
				t.Errorf("scope 3 advice must say reboot: %+v", f.Fixes)
			}
		})
	}
}

func TestRootWithoutCapInContainer(t *testing.T) {
	h := newFakeHost(t)
	h.debugger(0, "00000000a80425fb", "pid:[4026532100]") // Docker's default set: no bit 19
	h.mkdir(filepath.Join(h.env.Root, "run"))
	if err := os.WriteFile(filepath.Join(h.env.Root, ".dockerenv"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	h.process(200, 1, h.uid, "/bin/app", []string{"/bin/app"})
	rep := h.diagnose(200)
	if got, want := ids(rep, finding.SevWarn), []string{"AT-CONTAINER-CAP"}; !slices.Equal(got, want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
	f := find(rep, "AT-CONTAINER-CAP")
	if !hasFix(f, "--cap-add=SYS_PTRACE") || !hasFix(f, `"SYS_PTRACE"`) {
		t.Errorf("fixes lack the docker run and securityContext forms: %+v", f.Fixes)
	}
	if !strings.Contains(fmt.Sprint(f.Evidence), "/.dockerenv") {
		t.Errorf("evidence does not name the container marker: %+v", f.Evidence)
	}
}

func TestTracerComesBeforeYama(t *testing.T) {
	h := newFakeHost(t)
	h.yama("1", false)
	h.process(300, 1, h.uid, "/usr/bin/strace", []string{"strace", "-p", "200"})
	h.process(200, 1, h.uid, "/bin/app", []string{"/bin/app"}, "TracerPid:\t300", "State:\tt (tracing stop)")
	rep := h.diagnose(200)
	got := ids(rep, finding.SevWarn)
	if len(got) == 0 || got[0] != "AT-TRACER" {
		t.Fatalf("findings %v, want AT-TRACER first", got)
	}
	if ev := fmt.Sprint(find(rep, "AT-TRACER").Evidence); !strings.Contains(ev, "strace -p 200") {
		t.Errorf("tracer not named: %s", ev)
	}
}

func TestGoneInNamespace(t *testing.T) {
	h := newFakeHost(t)
	h.debugger(h.uid, "0", "pid:[4026532200]")
	rep := h.diagnose(4242)
	if got, want := ids(rep, finding.SevWarn), []string{"AT-STATE-GONE", "AT-PIDNS-HOST"}; !slices.Equal(got, want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
}

func TestContainerPIDFromHost(t *testing.T) {
	h := newFakeHost(t)
	h.process(5000, 1, h.uid, "/app", []string{"/app"}, "NSpid:\t5000\t7")
	rep := h.diagnose(7)
	f := find(rep, "AT-STATE-GONE")
	if f == nil || !hasFix(f, "dlvx attach 5000") {
		t.Fatalf("want AT-STATE-GONE suggesting pid 5000, got %+v", rep.Findings)
	}
	rep = h.diagnose(5000)
	if find(rep, "AT-PIDNS-NAMESPACED") == nil {
		t.Errorf("pid 5000 lives in a child namespace: want AT-PIDNS-NAMESPACED, got %v", ids(rep, 0))
	}
}

func TestGoRunParent(t *testing.T) {
	h := newFakeHost(t)
	h.process(200, 1, h.uid, "/usr/local/go/bin/go", []string{"go", "run", "./cmd/api"})
	h.process(201, 200, h.uid, "/tmp/go-build1/b001/exe/api", []string{"/tmp/go-build1/b001/exe/api"})
	rep := h.diagnose(200)
	f := find(rep, "AT-PIDNS-GORUN")
	if f == nil || !hasFix(f, "dlvx attach 201") {
		t.Fatalf("want AT-PIDNS-GORUN naming child 201, got %+v", rep.Findings)
	}
}

func TestOtherUserAndNonDumpable(t *testing.T) {
	h := newFakeHost(t)
	h.process(200, 1, 1001, "/bin/app", []string{"/bin/app"})
	h.process(201, 1, h.uid, "/bin/suid", []string{"/bin/suid"})
	h.chown("201/status", 0) // the kernel's sign of a non-dumpable process
	if got, want := ids(h.diagnose(200), finding.SevWarn), []string{"AT-USER"}; !slices.Equal(got, want) {
		t.Errorf("other user: findings %v, want %v", got, want)
	}
	if got, want := ids(h.diagnose(201), finding.SevWarn), []string{"AT-USER-NONDUMPABLE"}; !slices.Equal(got, want) {
		t.Errorf("non-dumpable: findings %v, want %v", got, want)
	}
	h.debugger(h.uid, capPtrace, "pid:[4026531836]")
	if got := ids(h.diagnose(200), finding.SevWarn); len(got) != 0 {
		t.Errorf("with CAP_SYS_PTRACE: findings %v, want none", got)
	}
}

func TestSeccompProbe(t *testing.T) {
	h := newFakeHost(t)
	h.write("self/status", replaceField(status("dlvx", h.self, 1, h.uid, "R (running)", "0"), "Seccomp", "Seccomp:\t2"))
	h.process(200, 1, h.uid, "/bin/app", []string{"/bin/app"})
	h.env.ProbePtrace = func() error { return errors.New("operation not permitted") }
	if f := find(h.diagnose(200), "AT-CONTAINER-SECCOMP"); f == nil || !hasFix(f, "seccomp=unconfined") {
		t.Fatalf("want AT-CONTAINER-SECCOMP with the docker fix, got %+v", f)
	}
	h.env.ProbePtrace = func() error { return nil }
	if f := find(h.diagnose(200), "AT-CONTAINER-SECCOMP"); f != nil {
		t.Errorf("a filter that allows ptrace is no finding: %+v", f)
	}
}

func TestMalformedStatus(t *testing.T) {
	h := newFakeHost(t)
	h.write("200/status", "Name:\tx\nState:\tS\nPid:\t200\nUid:\tone two\n")
	_, err := ReadStatus(filepath.Join(h.env.Proc, "200/status"))
	var pe *ProcError
	if !errors.As(err, &pe) {
		t.Fatalf("ReadStatus error %v, want a *ProcError", err)
	}
	rep := h.diagnose(200)
	f := find(rep, "AT-STATE-GONE")
	if f == nil || !strings.Contains(f.Evidence[0].Fact, "200/status") {
		t.Fatalf("a malformed status reads as an unusable process naming the file, got %+v", rep.Findings)
	}
}

func TestEmulatedProcess(t *testing.T) {
	h := newFakeHost(t)
	h.process(200, 1, h.uid, "/usr/libexec/qemu-binfmt/aarch64-binfmt-P", []string{"/app"})
	if f := find(h.diagnose(200), "ENV-ARCH-EMULATED"); f != nil {
		t.Errorf("a binfmt helper name is not an emulator match: %+v", f)
	}
	h.process(201, 1, h.uid, "/usr/bin/qemu-aarch64-static", []string{"/usr/bin/qemu-aarch64-static", "/app"})
	if f := find(h.diagnose(201), "ENV-ARCH-EMULATED"); f == nil {
		t.Errorf("qemu-aarch64-static: want ENV-ARCH-EMULATED")
	}
}
