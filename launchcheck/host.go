package launchcheck

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dlvx/dlvx/attachcheck"
	"github.com/dlvx/dlvx/finding"
)

// Host says where the host checks read: tests point Sys and Proc at a
// fake tree.
type Host struct {
	Sys  string // the /sys root
	Proc string // the /proc root
	// LookPath finds a program ("rr"); nil never finds one.
	LookPath func(string) (string, error)
	// Dlv is the debugger that will run, for AppArmor profiles that
	// attach to its path; "" checks only the doctor's own confinement.
	Dlv     string
	Backend string // "rr" asks for the rr checks
	EBPF    bool   // asks for the eBPF tracing checks
}

// ThisHost returns the Host of this machine.
func ThisHost() *Host { return &Host{Sys: "/sys", Proc: "/proc", LookPath: lookPath} }

func (o *Options) host() *Host {
	if o.Host == nil {
		o.Host = ThisHost()
	}
	return o.Host
}

func readTrim(p string) (string, bool) {
	b, err := os.ReadFile(p)
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(string(b)), true
}

// HostChecks are the checks on what blocks ptrace or the chosen backend
// before anything starts.
var HostChecks = []*finding.Check[*Host]{
	{Name: "selinux", Doc: "report SELinux's deny_ptrace\n\nReads /sys/fs/selinux/enforce and booleans/deny_ptrace.", Run: checkSELinux},
	{Name: "apparmor", Doc: "report an AppArmor profile confining the debugger\n\nReads /proc/self/attr/current and the loaded profiles.", Run: checkAppArmor},
	{Name: "rr", Doc: "report missing rr prerequisites (--backend=rr)\n\nLooks for rr and reads perf_event_paranoid.", Run: checkRR},
	{Name: "ebpf", Doc: "report missing eBPF tracing prerequisites (--ebpf)\n\nReads perf_event_paranoid, the locked-memory limit and the capabilities.", Run: checkEBPF},
}

func checkSELinux(h *Host) ([]finding.Finding, error) {
	dir := filepath.Join(h.Sys, "fs", "selinux")
	enforce, ok := readTrim(filepath.Join(dir, "enforce"))
	if !ok {
		return nil, finding.ErrNotApplicable // SELinux is not enabled
	}
	deny, ok := readTrim(filepath.Join(dir, "booleans", "deny_ptrace"))
	if !ok || enforce != "1" || !strings.HasPrefix(deny, "1") {
		return nil, nil
	}
	fd := finding.New("AT-LSM-SELINUX",
		finding.Evidencef(filepath.Join(dir, "enforce"), "1 (enforcing)"),
		finding.Evidencef(filepath.Join(dir, "booleans", "deny_ptrace"), "%s (on)", deny))
	fd.Fixes = []finding.Fix{{Summary: "allow ptrace until the next boot", Command: []string{"sudo", "setsebool", "deny_ptrace", "off"}},
		{Summary: "or for good", Command: []string{"sudo", "setsebool", "-P", "deny_ptrace", "off"}}}
	return []finding.Finding{fd}, nil
}

func checkAppArmor(h *Host) ([]finding.Finding, error) {
	enabled, ok := readTrim(filepath.Join(h.Sys, "module", "apparmor", "parameters", "enabled"))
	if !ok || enabled != "Y" {
		return nil, finding.ErrNotApplicable
	}
	var out []finding.Finding
	for _, p := range []string{filepath.Join(h.Proc, "self", "attr", "apparmor", "current"), filepath.Join(h.Proc, "self", "attr", "current")} {
		cur, ok := readTrim(p)
		if !ok {
			continue
		}
		if cur != "unconfined" && strings.HasSuffix(cur, "(enforce)") {
			out = append(out, appArmorFinding(finding.Evidencef(p, "the doctor, and the debuggers it starts, run confined by %s", cur)))
		}
		break
	}
	if h.Dlv == "" {
		return out, nil
	}
	f, err := os.Open(filepath.Join(h.Sys, "kernel", "security", "apparmor", "profiles"))
	if err != nil {
		return out, nil // readable by root only
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, mode, _ := strings.Cut(sc.Text(), " ")
		if name == h.Dlv && mode == "(enforce)" {
			out = append(out, appArmorFinding(finding.Evidencef(f.Name(), "profile %s %s confines the dlv vscode-go starts", name, mode)))
		}
	}
	return out, nil
}

func appArmorFinding(ev finding.Evidence) finding.Finding {
	fd := finding.New("AT-LSM-APPARMOR", ev)
	fd.Fixes = []finding.Fix{{Summary: "add \"ptrace (trace, read),\" to the profile, or run the debugger unconfined (aa-complain PROFILE)"}}
	return fd
}

// perfParanoid reads kernel.perf_event_paranoid.
func perfParanoid(h *Host) (int, string, bool) {
	p := filepath.Join(h.Proc, "sys", "kernel", "perf_event_paranoid")
	s, ok := readTrim(p)
	n, err := strconv.Atoi(s)
	return n, p, ok && err == nil
}

func checkRR(h *Host) ([]finding.Finding, error) {
	if h.Backend != "rr" {
		return nil, finding.ErrNotApplicable
	}
	if h.LookPath == nil {
		return nil, finding.ErrNotApplicable
	}
	if _, err := h.LookPath("rr"); err != nil {
		fd := finding.New("ENV-RR-MISSING", finding.Evidencef("host:PATH", "rr: %v", err))
		fd.Fixes = []finding.Fix{{Summary: "install rr", Command: []string{"sudo", "apt-get", "install", "rr"}}}
		return []finding.Finding{fd}, nil
	}
	if n, p, ok := perfParanoid(h); ok && n > 1 {
		fd := finding.New("ENV-RR-PERF", finding.Evidencef(p, "%d (rr needs 1 or less)", n))
		fd.Fixes = []finding.Fix{{Summary: "let rr read the performance counters", Command: []string{"sudo", "sysctl", "kernel.perf_event_paranoid=1"}}}
		return []finding.Finding{fd}, nil
	}
	return nil, nil
}

// Capability bits of the eBPF tracer.
const (
	capSysAdmin = 21
	capPerfmon  = 38
	capBPF      = 39
)

func checkEBPF(h *Host) ([]finding.Finding, error) {
	if !h.EBPF {
		return nil, finding.ErrNotApplicable
	}
	snap, err := attachcheck.Take(&attachcheck.Env{Proc: h.Proc, Root: "/", Getenv: func(string) string { return "" }}, os.Getpid())
	if err != nil {
		return nil, err
	}
	capEff := snap.Self.CapEff
	has := func(bit uint) bool { return capEff&(1<<bit) != 0 }
	var out []finding.Finding
	if !has(capSysAdmin) && !(has(capBPF) && has(capPerfmon)) {
		fd := finding.New("ENV-EBPF-CAPS", finding.Evidencef(filepath.Join(h.Proc, "self", "status"), "CapEff %016x: no CAP_SYS_ADMIN, CAP_BPF %v, CAP_PERFMON %v", capEff, has(capBPF), has(capPerfmon)))
		fd.Fixes = []finding.Fix{{Summary: "run the tracer as root, or grant it the capabilities", Command: []string{"sudo", "setcap", "cap_bpf,cap_perfmon=ep", "/path/to/dlvx"}}}
		out = append(out, fd)
	}
	if n, p, ok := perfParanoid(h); ok && n > 2 && !has(capSysAdmin) {
		out = append(out, finding.New("ENV-EBPF-PARANOID", finding.Evidencef(p, "%d: uprobes need 2 or less without CAP_SYS_ADMIN", n)))
	}
	if lim, ok := memlockLimit(h); ok && lim < 64<<20 {
		out = append(out, finding.New("ENV-EBPF-MEMLOCK", finding.Evidencef(filepath.Join(h.Proc, "self", "limits"), "Max locked memory %d bytes", lim)))
	}
	return out, nil
}

// memlockLimit reads the soft RLIMIT_MEMLOCK; unlimited is reported as ok
// with the largest value.
func memlockLimit(h *Host) (uint64, bool) {
	s, ok := readTrim(filepath.Join(h.Proc, "self", "limits"))
	if !ok {
		return 0, false
	}
	for line := range strings.Lines(s) {
		if rest, ok := strings.CutPrefix(line, "Max locked memory"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0, false
			}
			if f[0] == "unlimited" {
				return ^uint64(0), true
			}
			n, err := strconv.ParseUint(f[0], 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}
