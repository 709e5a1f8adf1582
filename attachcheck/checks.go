package attachcheck

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
)

// A rule is one attach check: it reads a Snapshot (and, for the Go
// program check, the executable through the Input) and returns findings,
// or finding.ErrNotApplicable when an earlier cause makes it moot.
type rule struct {
	name string
	doc  string
	run  func(s *Snapshot, in *dwarfcheck.Input) ([]finding.Finding, error)
}

// rules are the attach checks in causal order: a cause earlier in the list
// makes the later ones irrelevant or explains them.
var rules = []rule{
	{"process-state", "report a PID that names no process, a zombie or a stopped process\n\nReads State in /proc/PID/status.", processState},
	{"frozen", "report a process whose cgroup is frozen (a paused container)\n\nReads the freezer state of the process's cgroup: freezer.state (v1) or cgroup.freeze (v2), through the debugger's cgroup mounts or the process's own.", frozen},
	{"tracer", "report a process another program already traces\n\nReads TracerPid in /proc/PID/status and names the tracer from its cmdline.", tracer},
	{"process-user", "report a process of another user, or a non-dumpable one\n\nCompares the process's Uid and Gid with the debugger's real IDs; /proc/PID owned by root means not dumpable. Only matters without CAP_SYS_PTRACE.", processUser},
	{"ptrace-permission", "report a debugger without CAP_SYS_PTRACE where it needs it, or under a seccomp filter denying ptrace\n\nReads CapEff and Seccomp in /proc/self/status; under a filter, probes ptrace on PID 0, which touches no process.", ptracePermission},
	{"capabilities", "report a process holding capabilities the debugger lacks\n\nCompares CapPrm in /proc/PID/status with the debugger's (the kernel's subset rule for a tracer without CAP_SYS_PTRACE).", capabilities},
	{"yama", "report a Yama ptrace_scope that refuses this attach\n\nReads /proc/sys/kernel/yama/ptrace_scope and whether this process could change it (mountinfo, access).", yama},
	{"proc-access", "report /proc reads of the process that the kernel's ptrace access check refuses for no cause above\n\nReads the /proc/PID/exe link; AppArmor, SELinux or Landlock can refuse it.", procAccess},
	{"pid-namespace", "report PID namespace mix-ups and go run parents\n\nReads NSpid, /proc/PID/ns/pid and /proc/self/ns/pid, and the go command's children.", pidNamespace},
	{"executable", "report a deleted, replaced or emulated executable\n\nReads the /proc/PID/exe link.", executable},
	{"go-program", "report a process that is not a Go program\n\nReads the Go build information and the section table of the running executable.", goProgram},
	{"pod-probes", "warn that a liveness probe restarts a pod's container the debugger keeps stopped\n\nReads the process's cgroup path (kubepods) and environment (KUBERNETES_SERVICE_HOST).", podProbes},
	{"freeze", "say that attaching stops every thread\n\nReads Threads in /proc/PID/status.", freeze},
}

// Checks returns the attach checks bound to s, in causal order, for
// dwarfcheck.Run. Their names are the kebab-case names of --only/--skip.
func Checks(s *Snapshot) []*finding.Check[*dwarfcheck.Input] {
	out := make([]*finding.Check[*dwarfcheck.Input], len(rules))
	for i, r := range rules {
		run := r.run
		out[i] = &finding.Check[*dwarfcheck.Input]{Name: r.name, Doc: r.doc, Run: func(in *dwarfcheck.Input) ([]finding.Finding, error) {
			return run(s, in)
		}}
	}
	return out
}

func ev(source, format string, args ...any) finding.Evidence {
	return finding.Evidence{Source: source, Offset: -1, Fact: fmt.Sprintf(format, args...)}
}

func fix(summary string, argv ...string) finding.Fix {
	return finding.Fix{Summary: summary, Command: argv}
}

// statusSrc names the status file of pid as an evidence source.
func statusSrc(pid any) string { return fmt.Sprintf("/proc/%v/status", pid) }

// alive reports whether the process exists and is not a zombie.
func (s *Snapshot) alive() bool {
	return s.Exists() && s.Status.State != 'Z' && s.Status.State != 'X'
}

func processState(s *Snapshot, _ *dwarfcheck.Input) ([]finding.Finding, error) {
	pid := strconv.Itoa(s.PID)
	switch {
	case !s.Exists() || s.Status.State == 'X':
		f := finding.New("AT-STATE-GONE", ev(statusSrc(s.PID), "%v", s.StatusErr))
		if s.Exists() {
			f.Evidence[0].Fact = "State: " + s.Status.StateText
		}
		for _, inner := range s.innerPIDs() {
			f.Evidence = append(f.Evidence, ev(statusSrc(inner), "pid %d is pid %d inside its own PID namespace", inner, s.PID))
			f.Fixes = append(f.Fixes, fix(fmt.Sprintf("attach to pid %d, the PID this /proc knows it by", inner), "dlvx", "attach", strconv.Itoa(inner)))
		}
		f.Fixes = append(f.Fixes, fix("find the process's PID here", "ps", "-eo", "pid,ppid,user,args"))
		return []finding.Finding{f}, nil
	case s.Status.State == 'Z':
		f := finding.New("AT-STATE-ZOMBIE", ev(statusSrc(pid), "State: %s", s.Status.StateText),
			ev(statusSrc(s.Status.PPid), "parent, which has not reaped it: %s", s.describe(s.Status.PPid)))
		f.Fixes = []finding.Fix{fix("start the program again and attach to the new process")}
		return []finding.Finding{f}, nil
	case s.Status.State == 'T':
		f := finding.New("AT-STATE-STOPPED", ev(statusSrc(pid), "State: %s", s.Status.StateText))
		f.Fixes = []finding.Fix{fix("if it was stopped on purpose, do not attach: the session resumes it; otherwise resume it", "kill", "-CONT", pid)}
		return []finding.Finding{f}, nil
	}
	return nil, nil
}

// innerPIDs returns the processes of this /proc that run in a child PID
// namespace under the PID the user gave: a container's own PID.
func (s *Snapshot) innerPIDs() []int {
	var out []int
	for _, n := range s.allPIDs() {
		st, err := ReadStatus(procPath(s.Env.Proc, n, "status"))
		if err == nil && len(st.NSpid) > 1 && st.NSpid[len(st.NSpid)-1] == s.PID && st.PID != s.PID {
			out = append(out, n)
		}
	}
	return out
}

func tracer(s *Snapshot, _ *dwarfcheck.Input) ([]finding.Finding, error) {
	if !s.alive() {
		return nil, finding.ErrNotApplicable
	}
	tp := s.Status.TracerPid
	if tp == 0 {
		return nil, nil
	}
	who := s.describe(tp)
	f := finding.New("AT-TRACER", ev(statusSrc(s.PID), "TracerPid: %d", tp), ev(statusSrc(tp), "tracer: %s", who))
	if s.Status.State == 't' {
		f.Evidence = append(f.Evidence, ev(statusSrc(s.PID), "State: %s", s.Status.StateText))
	}
	if strings.Contains(who, "dlv") {
		for _, addr := range listeningTCP(s.Env.Proc, s.tracerProcess(tp)) {
			f.Evidence = append(f.Evidence, ev(fmt.Sprintf("/proc/%d/net", s.tracerProcess(tp)), "the tracer listens on %s", addr))
			f.Fixes = append(f.Fixes, fix("connect to that headless debugger", "dlvx", "connect", addr))
		}
		f.Fixes = append(f.Fixes, fix("or end its session: exit, and answer n to keep the process running"))
	} else {
		f.Fixes = append(f.Fixes, fix(fmt.Sprintf("end the other session first, detaching rather than killing (pid %d)", tp)))
	}
	return []finding.Finding{f}, nil
}

// tracerProcess returns the process of the tracing thread tid.
func (s *Snapshot) tracerProcess(tid int) int {
	if st, err := ReadStatus(procPath(s.Env.Proc, tid, "status")); err == nil && st.Tgid != 0 {
		return st.Tgid
	}
	return tid
}

// otherUser reports whether the process's user or group differs from the
// debugger's real IDs, as the kernel's ptrace access check compares them.
func (s *Snapshot) otherUser() bool {
	u, g := s.Self.Uid[0], s.Self.Gid[0]
	for i := range 3 {
		if s.Status.Uid[i] != u || s.Status.Gid[i] != g {
			return true
		}
	}
	return false
}

// nonDumpable reports whether /proc/PID/status belongs to root while the process
// runs as another user: the kernel's sign of a non-dumpable process.
func (s *Snapshot) nonDumpable() bool {
	return s.FileUID == 0 && s.Status.Uid[1] != 0
}

// selfRoot reports whether the debugger runs as root.
func (s *Snapshot) selfRoot() bool { return s.Self.Uid[1] == 0 }

func processUser(s *Snapshot, _ *dwarfcheck.Input) ([]finding.Finding, error) {
	if !s.alive() {
		return nil, finding.ErrNotApplicable
	}
	// With CAP_SYS_PTRACE neither matters; root without it is reported by
	// ptrace-permission, whose fix is the capability.
	if s.HasCap() || s.selfRoot() {
		return nil, nil
	}
	pid := strconv.Itoa(s.PID)
	var fs []finding.Finding
	if s.otherUser() {
		f := finding.New("AT-USER",
			ev(statusSrc(pid), "Uid: %s  Gid: %s", joinInts(s.Status.Uid[:3]), joinInts(s.Status.Gid[:3])),
			ev("/proc/self/status", "debugger uid %d gid %d, CapEff %016x lacks CAP_SYS_PTRACE", s.Self.Uid[0], s.Self.Gid[0], s.Self.CapEff))
		f.Evidence = append(f.Evidence, s.refusedReads()...)
		f.Fixes = s.userFixesHere(s.Status.Uid[0])
		fs = append(fs, f)
	}
	if s.nonDumpable() {
		f := finding.New("AT-USER-NONDUMPABLE",
			ev(statusSrc(pid), "file owned by uid 0 while the process runs as uid %d", s.Status.Uid[1]),
			ev("/proc/self/status", "debugger CapEff %016x lacks CAP_SYS_PTRACE", s.Self.CapEff))
		f.Evidence = append(f.Evidence, s.refusedReads()...)
		f.Fixes = s.capFixesHere()
		fs = append(fs, f)
	}
	return fs, nil
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, " ")
}

// CheckNames returns the names of the attach checks in causal order, for
// validating --only and --skip.
func CheckNames() []string {
	names := make([]string, len(rules))
	for i, r := range rules {
		names[i] = r.name
	}
	return names
}
