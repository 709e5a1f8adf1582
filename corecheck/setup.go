package corecheck

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dlvx/dlvx/attachcheck"
	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
)

// A SetupEnv says where `--core-setup` reads: the attach preflight's Env
// (the /proc root, file owners) and how to ask a filesystem its free
// space. Tests replace both with a fake tree.
type SetupEnv struct {
	*attachcheck.Env
	// Free returns the bytes available to unprivileged users on the
	// filesystem holding path.
	Free func(path string) (uint64, error)
}

// HostSetupEnv returns the SetupEnv of this machine.
func HostSetupEnv() *SetupEnv { return &SetupEnv{Env: attachcheck.Host(), Free: statfsFree} }

// A SetupInput is what the core-setup checks read about one process.
type SetupInput struct {
	Env  *SetupEnv
	PID  int
	Snap *attachcheck.Snapshot

	environ map[string]string // nil when unreadable
	rss     uint64            // VmRSS in bytes: about the core's size
	pattern *corePattern      // set by the pattern check
}

// A SetupCheck is a check of a process's core setup.
type SetupCheck = finding.Check[*SetupInput]

// The core-setup checks, in the order a crash meets them.
var (
	SetupProcess   = &SetupCheck{Name: "core-process", Doc: "is there a process\n\nThe rest reads its /proc files.", Run: setupProcess}
	SetupTraceback = &SetupCheck{Name: "core-traceback", Doc: "does the Go runtime dump core\n\nOnly with GOTRACEBACK=crash.", Requires: []*SetupCheck{SetupProcess}, Run: setupTraceback}
	SetupLimit     = &SetupCheck{Name: "core-limit", Doc: "does RLIMIT_CORE allow a core\n\nMax core file size in /proc/PID/limits.", Requires: []*SetupCheck{SetupProcess}, Run: setupLimit}
	SetupPattern   = &SetupCheck{Name: "core-pattern", Doc: "where does the kernel put the core\n\nkernel.core_pattern, core_uses_pid.", Requires: []*SetupCheck{SetupProcess}, Run: setupPattern}
	SetupDir       = &SetupCheck{Name: "core-dir", Doc: "can the process create the file, and is there room\n\nThe directory as the process sees it, and its free space.", Requires: []*SetupCheck{SetupPattern}, Run: setupDir}
	SetupFilter    = &SetupCheck{Name: "core-filter", Doc: "does coredump_filter keep the memory Delve reads\n\nBits 0 (anonymous private) and 4 (ELF headers).", Requires: []*SetupCheck{SetupProcess}, Run: setupFilter}
	SetupDumpable  = &SetupCheck{Name: "core-dumpable", Doc: "is the process dumpable\n\nA setuid or prctl'd process dumps only with fs.suid_dumpable=2.", Requires: []*SetupCheck{SetupPattern}, Run: setupDumpable}
	SetupTake      = &SetupCheck{Name: "core-take", Doc: "how to take a core now\n\ngcore, or dlvx attach and dump.", Requires: []*SetupCheck{SetupProcess}, Run: setupTake}
)

// SetupChecks are the checks Setup runs.
var SetupChecks = []*SetupCheck{SetupProcess, SetupTraceback, SetupLimit, SetupPattern, SetupDir, SetupFilter, SetupDumpable, SetupTake}

// Setup is `dlvx doctor --pid PID --core-setup`: would the process leave
// a core Delve can open if it crashed now, and how to take one without a
// crash. It reads /proc only.
func Setup(env *SetupEnv, pid int, opt finding.Options) (*finding.Report, error) {
	snap, err := attachcheck.Take(env.Env, pid)
	if err != nil {
		return nil, err
	}
	in := &SetupInput{Env: env, PID: pid, Snap: snap}
	res, err := finding.Run(in, SetupChecks, opt)
	if err != nil {
		return nil, err
	}
	rep := &finding.Report{Binary: fmt.Sprintf("pid %d", pid), Result: *res}
	if snap.Exe != "" {
		rep.Binary = fmt.Sprintf("pid %d (%s)", pid, snap.Exe)
	}
	return rep, nil
}

// proc returns a path below the /proc root of the process.
func (in *SetupInput) proc(parts ...string) string {
	return filepath.Join(append([]string{in.Env.Proc, strconv.Itoa(in.PID)}, parts...)...)
}

func (in *SetupInput) src(name string) string { return fmt.Sprintf("/proc/%d/%s", in.PID, name) }

func setupProcess(in *SetupInput) ([]finding.Finding, error) {
	if !in.Snap.Exists() {
		return []finding.Finding{finding.New("AT-STATE-GONE", finding.Evidencef(in.src("status"), "%v", in.Snap.StatusErr))}, finding.ErrNotApplicable
	}
	if data, err := os.ReadFile(in.proc("environ")); err == nil {
		in.environ = map[string]string{}
		for _, kv := range bytes.Split(data, []byte{0}) {
			if k, v, ok := strings.Cut(string(kv), "="); ok {
				in.environ[k] = v
			}
		}
	}
	if data, err := os.ReadFile(in.proc("status")); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
				kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				in.rss = kb << 10
			}
		}
	}
	return nil, nil
}

func setupTraceback(in *SetupInput) ([]finding.Finding, error) {
	exe := dwarfcheck.NewInput(in.Snap.ExePath())
	defer exe.Close()
	bi, err := exe.BuildInfo()
	if err != nil {
		return nil, finding.ErrNotApplicable // not a Go program: the runtime does not decide
	}
	if in.environ == nil {
		return nil, fmt.Errorf("read %s: permission denied or gone", in.src("environ"))
	}
	v, set := in.environ["GOTRACEBACK"]
	if v == "crash" {
		return nil, nil
	}
	fact := "GOTRACEBACK is not set"
	if set {
		fact = fmt.Sprintf("GOTRACEBACK=%s", v)
	}
	f := finding.New("ENV-CORE-TRACEBACK",
		finding.Evidencef(in.src("environ"), "%s: a panic or fatal signal prints the goroutines and exits with status 2, without a core", fact),
		finding.Evidencef(in.Snap.ExePath(), "a Go program (%s); unless it calls debug.SetTraceback(\"crash\") itself", bi.GoVersion))
	f.Fixes = []finding.Fix{
		{Summary: "restart the program with GOTRACEBACK=crash in its environment", Command: []string{"env", "GOTRACEBACK=crash", in.Snap.ExePath()}},
		{Summary: "or, for a systemd service, add Environment=GOTRACEBACK=crash to its unit (systemctl edit UNIT) and restart it"},
	}
	return []finding.Finding{f}, nil
}

func setupLimit(in *SetupInput) ([]finding.Finding, error) {
	data, err := os.ReadFile(in.proc("limits"))
	if err != nil {
		return nil, err
	}
	for line := range strings.Lines(string(data)) {
		rest, ok := strings.CutPrefix(line, "Max core file size")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) < 2 {
			return nil, fmt.Errorf("%s: malformed line %q", in.src("limits"), strings.TrimSpace(line))
		}
		soft, hard := fields[0], fields[1]
		ev := finding.Evidencef(in.src("limits"), "Max core file size: soft %s, hard %s", soft, hard)
		raise := finding.Fix{Summary: "raise the running process's limit (root can go above the hard limit)", Command: []string{"prlimit", "--pid", strconv.Itoa(in.PID), "--core=unlimited:unlimited"}}
		if soft == "0" {
			f := finding.New("ENV-CORE-ULIMIT", ev)
			f.Fixes = []finding.Fix{raise, {Summary: "or start it with the limit raised (for a service, LimitCORE=infinity in its unit)", Command: []string{"sh", "-c", "ulimit -c unlimited && exec PROGRAM"}}}
			return []finding.Finding{f}, nil
		}
		if n, err := strconv.ParseUint(soft, 10, 64); err == nil && in.rss > 0 && n < in.rss {
			f := finding.New("ENV-CORE-ULIMIT-SMALL", ev, finding.Evidencef(in.src("status"), "VmRSS %s: the core would be cut at %s", mib(in.rss), mib(n)))
			f.Fixes = []finding.Fix{raise}
			return []finding.Finding{f}, nil
		}
		return nil, nil
	}
	return nil, fmt.Errorf("%s has no Max core file size line", in.src("limits"))
}

func setupFilter(in *SetupInput) ([]finding.Finding, error) {
	data, err := os.ReadFile(in.proc("coredump_filter"))
	if err != nil {
		return nil, err
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(data)), 16, 32)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", in.src("coredump_filter"), err)
	}
	if v&0x11 == 0x11 {
		return nil, nil
	}
	id := "ENV-CORE-FILTER"
	if v&1 == 0 {
		id = "ENV-CORE-FILTER-ANON"
	}
	f := finding.New(id, finding.Evidencef(in.src("coredump_filter"), "%#x", v))
	if v&1 == 0 {
		f.Evidence = append(f.Evidence, finding.Evidencef(in.src("coredump_filter"), "bit 0 (anonymous private memory) is clear: no heap, no goroutine stacks in the core"))
	}
	if v&0x10 == 0 {
		f.Evidence = append(f.Evidence, finding.Evidencef(in.src("coredump_filter"), "bit 4 (ELF headers) is clear: the core cannot be matched with its executable by build ID"))
	}
	f.Fixes = []finding.Fix{{Summary: "set the kernel's default filter on the running process", Command: []string{"sh", "-c", fmt.Sprintf("echo 0x33 > /proc/%d/coredump_filter", in.PID)}}}
	return []finding.Finding{f}, nil
}

func setupDumpable(in *SetupInput) ([]finding.Finding, error) {
	if !in.Snap.NonDumpable() {
		return nil, nil
	}
	level := "unreadable"
	if data, err := os.ReadFile(filepath.Join(in.Env.Proc, "sys/fs/suid_dumpable")); err == nil {
		level = strings.TrimSpace(string(data))
	}
	if level == "2" && (in.pattern.pipe || filepath.IsAbs(in.pattern.raw)) {
		return nil, nil
	}
	f := finding.New("ENV-CORE-DUMPABLE",
		finding.Evidencef(in.src("status"), "owned by root while the process runs as uid %d: the kernel's sign of a non-dumpable process", in.Snap.Status.Uid[1]),
		finding.Evidencef("/proc/sys/fs/suid_dumpable", "%s", level))
	f.Fixes = []finding.Fix{{Summary: "allow dumps of non-dumpable processes (to an absolute core_pattern or a pipe)", Command: []string{"sysctl", "fs.suid_dumpable=2"}}}
	return []finding.Finding{f}, nil
}

func setupTake(in *SetupInput) ([]finding.Finding, error) {
	pid := strconv.Itoa(in.PID)
	f := finding.New("ENV-CORE-TAKE", finding.Evidencef(in.src("status"), "VmRSS %s: a core of about that size from Delve's dump or the kernel", mib(in.rss)))
	f.Fixes = []finding.Fix{
		{Summary: "attach with dlvx and write a core with Delve's dump command, then detach (quit, answering n to kill)", Command: []string{"dlvx", "attach", pid}},
		{Summary: "or gcore (gdb), which stops the process while it copies its memory; gdb 13 also writes the Go runtime's unused address-space reservations, as zeros: over 1 GiB for any Go program", Command: []string{"gcore", "-o", "core", pid}},
	}
	return []finding.Finding{f}, nil
}
