package attachcheck

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Env says where the preflight reads. Tests replace Proc and Root with a
// fake tree; Host returns the real machine.
type Env struct {
	Proc   string              // the /proc root
	Root   string              // the filesystem root, for container markers
	Getenv func(string) string // the debugger's environment
	GOARCH string              // the host architecture
	// ProbePtrace is called when the debugger runs under a seccomp filter:
	// it issues a harmless ptrace call and returns its error (nil when
	// ptrace is allowed). Nil skips the probe.
	ProbePtrace func() error
	// FileOwner returns the uid owning a file below Proc: the kernel gives
	// a non-dumpable process's files to root. Nil reads it with stat.
	FileOwner func(path string) (uid int, err error)
}

// Host returns the Env of this machine: /proc, /, os.Getenv, runtime.GOARCH
// and a real seccomp probe. Only Linux has that /proc: elsewhere Take fails
// with ErrUnsupported for it.
func Host() *Env {
	return &Env{Proc: "/proc", Root: "/", Getenv: os.Getenv, GOARCH: runtime.GOARCH, ProbePtrace: probePtrace}
}

// ErrUnsupported is returned for the host's /proc and probes on systems
// other than Linux (host_other.go). The checks themselves run anywhere, on
// an Env whose Proc is a /proc tree, as the tests' fake ones.
var ErrUnsupported = errors.New("attach preflight: unsupported on " + runtime.GOOS + " (it reads Linux's /proc)")

// Yama is the state of the Yama LSM's ptrace_scope.
type Yama struct {
	Present  bool   // the file exists: Yama is enabled
	Scope    int    // 0–3
	Writable bool   // this process could lower it
	Why      string // why it is not writable, when it is not
}

// yamaPath is ptrace_scope's path below /proc.
const yamaPath = "sys/kernel/yama/ptrace_scope"

// A Snapshot is what the preflight read about one process, the debugger
// and the host. Reading never stops or signals the process.
type Snapshot struct {
	Env *Env
	PID int

	Status    *Status  // nil when the process does not exist
	StatusErr error    // why Status is nil
	Cmdline   []string // may be empty (kernel threads, zombies)
	Exe       string   // readlink of /proc/PID/exe, " (deleted)" kept
	ExeErr    error    // readlink failed (permissions, zombie)
	FileUID   int      // owner of /proc/PID/status: root when not dumpable
	PIDNS     string   // readlink of /proc/PID/ns/pid, or ""

	Self   *Status // the debugger
	SelfNS string  // the debugger's PID namespace link

	SelfPlace Place // where the debugger runs
	Place     Place // where the process runs

	Yama      Yama
	Container []string // container markers found, e.g. "/.dockerenv"
	Probed    bool     // ProbePtrace ran
	ProbeErr  error    // its result
}

// Take reads the state of pid, the debugger and the host from env. It
// fails only when the debugger's own status cannot be read; what is
// missing about the process is recorded in the Snapshot.
func Take(env *Env, pid int) (*Snapshot, error) {
	self, err := ReadStatus(procPath(env.Proc, "self", "status"))
	if err != nil {
		return nil, fmt.Errorf("read the debugger's status: %w", hostError(err))
	}
	s := &Snapshot{Env: env, PID: pid, Self: self, FileUID: -1}
	s.SelfNS, _ = os.Readlink(procPath(env.Proc, "self", "ns", "pid"))
	s.readProcess()
	s.readPlaces()
	s.Yama = readYama(env)
	s.Container = containerMarkers(env)
	if self.Seccomp == 2 && env.ProbePtrace != nil {
		s.Probed, s.ProbeErr = true, env.ProbePtrace()
	}
	return s, nil
}

func (s *Snapshot) readProcess() {
	root := s.Env.Proc
	if s.PID <= 0 {
		s.StatusErr = fmt.Errorf("pid %d: %w", s.PID, fs.ErrNotExist)
		return
	}
	s.Status, s.StatusErr = ReadStatus(procPath(root, s.PID, "status"))
	if s.Status == nil {
		return
	}
	s.Cmdline = readCmdline(procPath(root, s.PID, "cmdline"))
	s.Exe, s.ExeErr = os.Readlink(procPath(root, s.PID, "exe"))
	s.PIDNS, _ = os.Readlink(procPath(root, s.PID, "ns", "pid"))
	// The kernel gives a non-dumpable process's files (not the /proc/PID
	// directory itself) to root.
	owner := s.Env.FileOwner
	if owner == nil {
		owner = statOwner
	}
	if uid, err := owner(procPath(root, s.PID, "status")); err == nil {
		s.FileUID = uid
	}
}

// Exists reports whether the process exists in this /proc.
func (s *Snapshot) Exists() bool { return s.Status != nil }

// ExePath returns the path to read the running executable from: the path
// it was started from when the debugger sees the same file there, that
// path in the process's filesystem (/proc/PID/root) when that is the same
// file, else /proc/PID/exe, which reaches deleted executables.
func (s *Snapshot) ExePath() string { return s.exePath() }

// HasCap reports whether the debugger holds CAP_SYS_PTRACE.
func (s *Snapshot) HasCap() bool { return s.Self.HasCapSysPtrace() }

// IsDescendant reports whether the process descends from the debugger,
// following PPid links in /proc.
func (s *Snapshot) IsDescendant() bool {
	pid := s.PID
	for range 4096 {
		if pid == s.Self.PID {
			return true
		}
		if pid <= 1 {
			return false
		}
		st, err := ReadStatus(procPath(s.Env.Proc, pid, "status"))
		if err != nil {
			return false
		}
		pid = st.PPid
	}
	return false
}

// describe returns "pid N (comm: cmdline)" for another process, for
// evidence. A thread ID (TracerPid is one) is described as its process.
func (s *Snapshot) describe(pid int) string {
	st, err := ReadStatus(procPath(s.Env.Proc, pid, "status"))
	if err != nil {
		return fmt.Sprintf("pid %d", pid)
	}
	what := fmt.Sprintf("pid %d", pid)
	if st.Tgid != 0 && st.Tgid != pid {
		what = fmt.Sprintf("pid %d (thread %d)", st.Tgid, pid)
		pid = st.Tgid
	}
	args := readCmdline(procPath(s.Env.Proc, pid, "cmdline"))
	if len(args) == 0 {
		return fmt.Sprintf("%s %s", what, st.Name)
	}
	return fmt.Sprintf("%s %s: %s", what, st.Name, strings.Join(args, " "))
}

// children returns the PIDs whose parent is pid, by scanning /proc.
func (s *Snapshot) children(pid int) []int {
	var out []int
	for _, n := range s.allPIDs() {
		if st, err := ReadStatus(procPath(s.Env.Proc, n, "status")); err == nil && st.PPid == pid {
			out = append(out, n)
		}
	}
	return out
}

// allPIDs lists the numeric entries of the /proc root.
func (s *Snapshot) allPIDs() []int {
	ents, err := os.ReadDir(s.Env.Proc)
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func readYama(env *Env) Yama {
	p := procPath(env.Proc, yamaPath)
	data, err := os.ReadFile(p)
	if err != nil {
		return Yama{}
	}
	scope, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return Yama{}
	}
	y := Yama{Present: true, Scope: scope}
	ms, err := readMountinfo(procPath(env.Proc, "self", "mountinfo"))
	if m, ok := mountOf(ms, "/proc/"+yamaPath); err == nil && ok && m.ReadOnly {
		y.Why = fmt.Sprintf("%s is mounted read-only", m.Point)
		return y
	}
	if err := writable(p); err != nil {
		y.Why = fmt.Sprintf("access(W_OK): %v", err)
		return y
	}
	y.Writable = true
	return y
}

// containerMarkers returns the signs of a container this host shows.
func containerMarkers(env *Env) []string {
	var found []string
	for _, f := range []string{"/.dockerenv", "/run/.containerenv"} {
		if _, err := os.Stat(filepath.Join(env.Root, f)); err == nil {
			found = append(found, f)
		}
	}
	if env.Getenv != nil && env.Getenv("KUBERNETES_SERVICE_HOST") != "" {
		found = append(found, "KUBERNETES_SERVICE_HOST is set")
	}
	if data, err := os.ReadFile(procPath(env.Proc, "1", "cgroup")); err == nil {
		for _, k := range []string{"docker", "kubepods", "containerd", "libpod"} {
			if strings.Contains(string(data), k) {
				found = append(found, "/proc/1/cgroup mentions "+k)
				break
			}
		}
	}
	return found
}

// initPIDNS is the inode of the initial PID namespace (PROC_PID_INIT_INO),
// a constant of the Linux kernel.
const initPIDNS = "pid:[4026531836]"

// SelfNamespaced reports whether the debugger runs in a child PID namespace.
func (s *Snapshot) SelfNamespaced() bool { return s.SelfNS != "" && s.SelfNS != initPIDNS }
