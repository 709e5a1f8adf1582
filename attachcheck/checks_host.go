package attachcheck

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
)

// capReasons returns why this attach needs CAP_SYS_PTRACE, if it does.
func (s *Snapshot) capReasons() []string {
	var why []string
	if s.otherUser() {
		why = append(why, fmt.Sprintf("the process runs as uid %d, the debugger as uid %d", s.Status.Uid[1], s.Self.Uid[0]))
	}
	if s.nonDumpable() {
		why = append(why, "the process is not dumpable")
	}
	switch {
	case s.Yama.Present && s.Yama.Scope == 2:
		why = append(why, "Yama ptrace_scope is 2")
	case s.Yama.Present && s.Yama.Scope == 1 && !s.IsDescendant():
		why = append(why, "Yama ptrace_scope is 1 and the process is not the debugger's descendant")
	}
	return why
}

func ptracePermission(s *Snapshot, _ *dwarfcheck.Input) ([]finding.Finding, error) {
	var fs []finding.Finding
	if s.alive() && !s.HasCap() && s.selfRoot() {
		if why := s.capReasons(); len(why) > 0 {
			f := finding.New("AT-CONTAINER-CAP",
				ev("/proc/self/status", "uid 0 with CapEff %016x: CAP_SYS_PTRACE (bit 19) is missing", s.Self.CapEff))
			for _, w := range why {
				f.Evidence = append(f.Evidence, ev("needs CAP_SYS_PTRACE", "%s", w))
			}
			f.Evidence = append(f.Evidence, s.containerEvidence()...)
			f.Evidence = append(f.Evidence, s.refusedReads()...)
			if s.otherUser() && s.Where() != OnHost {
				f.Fixes = s.userFixesHere(s.Status.Uid[0])
			}
			f.Fixes = append(f.Fixes, s.capFixesHere()...)
			fs = append(fs, f)
		}
	}
	if s.Probed && s.ProbeErr != nil {
		f := finding.New("AT-CONTAINER-SECCOMP",
			ev("/proc/self/status", "Seccomp: 2 (filter), NoNewPrivs: %v", s.Self.NoNewPrivs),
			ev("ptrace probe", "ptrace(PTRACE_ATTACH, 0) failed with %v where the kernel answers ESRCH", s.ProbeErr))
		f.Evidence = append(f.Evidence, s.containerEvidence()...)
		f.Fixes = s.seccompFixesHere()
		fs = append(fs, f)
	}
	return fs, nil
}

func capFixes() []finding.Fix {
	return []finding.Fix{
		fix("Docker: add the capability to the debugger's container", "docker", "run", "--cap-add=SYS_PTRACE", "IMAGE"),
		fix(`Kubernetes: in the debugging container, securityContext: {capabilities: {add: ["SYS_PTRACE"]}}; or kubectl debug with the general profile`,
			"kubectl", "debug", "-it", "pod/POD", "--target=CONTAINER", "--profile=general", "--image=IMAGE"),
		fix("elsewhere: run the debugger without dropping the capability (capsh --drop, setpriv, systemd CapabilityBoundingSet=)"),
	}
}

func (s *Snapshot) containerEvidence() []finding.Evidence {
	var out []finding.Evidence
	for _, m := range s.Container {
		out = append(out, ev("container", "%s", m))
	}
	return out
}

func yama(s *Snapshot, _ *dwarfcheck.Input) ([]finding.Finding, error) {
	y := s.Yama
	if !y.Present || y.Scope == 0 || !s.alive() {
		return nil, nil
	}
	if s.HasCap() && y.Scope < 3 {
		return nil, nil
	}
	if y.Scope == 1 && s.IsDescendant() {
		return nil, nil
	}
	pid := strconv.Itoa(s.PID)
	src := "/proc/" + yamaPath
	evs := []finding.Evidence{ev(src, "ptrace_scope = %d", y.Scope)}
	if y.Writable {
		evs = append(evs, ev(src, "writable by this process"))
	} else {
		evs = append(evs, ev(src, "cannot be changed here: %s", y.Why))
	}
	if y.Scope < 3 {
		evs = append(evs, ev("/proc/self/status", "debugger CapEff %016x lacks CAP_SYS_PTRACE", s.Self.CapEff))
	}
	evs = append(evs, s.refusedReads()...)
	var f finding.Finding
	switch {
	case y.Scope >= 3:
		f = finding.New("AT-YAMA-3", evs...)
		f.Fixes = []finding.Fix{fix("set kernel.yama.ptrace_scope = 1 in /etc/sysctl.d/10-ptrace.conf, then reboot (3 cannot be lowered at run time)")}
		return []finding.Finding{f}, nil
	case y.Scope == 2:
		f = finding.New("AT-YAMA-2", evs...)
	default:
		evs = append(evs, ev(statusSrc(pid), "not a descendant of the debugger (pid %d)", s.Self.PID))
		f = finding.New("AT-YAMA-1", evs...)
	}
	if s.Where() != OnHost {
		// In a container: no sudo, a read-only /proc/sys; the capability helps.
		f.Fixes = s.capFixesHere()
		return []finding.Finding{f}, nil
	}
	asRoot := fix("debug as root", "sudo", "dlvx", "attach", pid)
	asRoot.Editor = `debug as root: "asRoot": true and "console": "integratedTerminal" in launch.json`
	f.Fixes = []finding.Fix{asRoot}
	if !s.selfRoot() {
		f.Fixes = append(f.Fixes, fix("grant the capability to dlvx once", "sudo", "setcap", "cap_sys_ptrace=eip", "/path/to/dlvx"))
	}
	if y.Scope == 1 {
		f.Fixes = append(f.Fixes, fix("launch the program under the debugger instead", "dlvx", "exec", "./PROGRAM"))
	}
	if !strings.Contains(y.Why, "read-only") {
		f.Fixes = append(f.Fixes, fix("on a development machine, lower the scope", "sudo", "sysctl", fmt.Sprintf("kernel.yama.ptrace_scope=%d", y.Scope-1)))
	}
	return []finding.Finding{f}, nil
}

func pidNamespace(s *Snapshot, _ *dwarfcheck.Input) ([]finding.Finding, error) {
	if !s.Exists() {
		if !s.SelfNamespaced() {
			return nil, nil
		}
		f := finding.New("AT-PIDNS-HOST", ev("/proc/self/ns/pid", "%s, not the initial namespace %s", s.SelfNS, initPIDNS))
		f.Fixes = []finding.Fix{fix("look the PID up in this namespace", "ps", "-eo", "pid,args")}
		return []finding.Finding{f}, nil
	}
	var fs []finding.Finding
	if len(s.Status.NSpid) > 1 {
		f := finding.New("AT-PIDNS-NAMESPACED",
			ev(statusSrc(s.PID), "NSpid: %s", joinInts(s.Status.NSpid)),
			ev(fmt.Sprintf("/proc/%d/ns/pid", s.PID), "%s, the debugger's is %s", s.PIDNS, s.SelfNS))
		f.Fixes = []finding.Fix{fix(fmt.Sprintf("map source paths through /proc/%d/root when they are inside the container", s.PID))}
		fs = append(fs, f)
	}
	if f, ok := s.goRun(); ok {
		fs = append(fs, f)
	}
	return fs, nil
}

// goRun recognises the go command running a program (go run, go test) and
// names its children.
func (s *Snapshot) goRun() (finding.Finding, bool) {
	exe := strings.TrimSuffix(s.Exe, deletedSuffix)
	if filepath.Base(exe) != "go" || len(s.Cmdline) < 2 || (s.Cmdline[1] != "run" && s.Cmdline[1] != "test") {
		return finding.Finding{}, false
	}
	f := finding.New("AT-PIDNS-GORUN",
		ev(fmt.Sprintf("/proc/%d/exe", s.PID), "%s", s.Exe),
		ev(fmt.Sprintf("/proc/%d/cmdline", s.PID), "%s", strings.Join(s.Cmdline, " ")))
	for _, c := range s.children(s.PID) {
		f.Evidence = append(f.Evidence, ev(statusSrc(c), "child %s", s.describe(c)))
		f.Fixes = append(f.Fixes, fix(fmt.Sprintf("attach to the program, pid %d", c), "dlvx", "attach", strconv.Itoa(c)))
	}
	f.Fixes = append(f.Fixes, finding.RebuildFix("or build with debug information and run the binary itself", finding.Build{Out: "app"}))
	return f, true
}

var emulator = regexp.MustCompile(`^(qemu-[a-z0-9_]+(-static)?|rosetta)$`)

func executable(s *Snapshot, _ *dwarfcheck.Input) ([]finding.Finding, error) {
	if !s.alive() || s.Exe == "" {
		return nil, finding.ErrNotApplicable
	}
	src := fmt.Sprintf("/proc/%d/exe", s.PID)
	var fs []finding.Finding
	if path, ok := strings.CutSuffix(s.Exe, deletedSuffix); ok {
		fs = append(fs, s.deletedExe(path))
	}
	if base := filepath.Base(strings.TrimSuffix(s.Exe, deletedSuffix)); emulator.MatchString(base) {
		f := finding.New("ENV-ARCH-EMULATED", ev(src, "-> %s", s.Exe),
			ev(fmt.Sprintf("/proc/%d/cmdline", s.PID), "%s", strings.Join(s.Cmdline, " ")))
		f.Fixes = []finding.Fix{fix("debug on a machine of the program's architecture, or start it under the emulator's gdb stub (qemu -g PORT)")}
		fs = append(fs, f)
	}
	return fs, nil
}

func goProgram(s *Snapshot, in *dwarfcheck.Input) ([]finding.Finding, error) {
	if !s.alive() || in == nil || in.Path == "" {
		return nil, finding.ErrNotApplicable
	}
	if _, err := in.BuildInfo(); err == nil {
		return nil, nil
	}
	f, err := in.ELF()
	if err != nil {
		// Unreadable (another user's process): process-user says why.
		return nil, finding.ErrNotApplicable
	}
	if f.Section(".gopclntab") != nil {
		return nil, nil
	}
	fd := finding.New("AT-NOTGO",
		ev(in.Path, "no Go build information (.go.buildinfo)"),
		ev(in.Path, "no .gopclntab section"))
	fd.Fixes = []finding.Fix{fix("debug it with gdb", "gdb", "-p", strconv.Itoa(s.PID))}
	return []finding.Finding{fd}, nil
}

func freeze(s *Snapshot, _ *dwarfcheck.Input) ([]finding.Finding, error) {
	if !s.alive() {
		return nil, finding.ErrNotApplicable
	}
	f := finding.New("EX-FREEZE", ev(statusSrc(s.PID), "Threads: %d, all paused while the debugger holds the process", s.Status.Threads))
	f.Fixes = []finding.Fix{fix("attach headless and let it run", "dlvx", "attach", strconv.Itoa(s.PID), "--headless", "--accept-multiclient", "--continue", "--listen=127.0.0.1:0")}
	f.Fixes[0].Editor = "keep the session short: set the breakpoints before attaching and disconnect as soon as they are hit"
	return []finding.Finding{f}, nil
}
