package attachcheck

import (
	"errors"
	"fmt"
	"io/fs"
	"math/bits"
	"os"
	"strings"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
)

// The kernel's ptrace access check for PTRACE_ATTACH (kernel/ptrace.c
// __ptrace_may_access with PTRACE_MODE_ATTACH_REALCREDS, then the
// capability LSM's cap_ptrace_access_check in security/commoncap.c) lets
// the debugger attach when, in order:
//
//  1. its real uid and gid equal the process's real, effective and saved
//     ones, or it holds CAP_SYS_PTRACE in the process's user namespace;
//  2. the process is dumpable, or the debugger holds CAP_SYS_PTRACE;
//  3. both run in the same user namespace and the process's permitted
//     capabilities are a subset of the debugger's permitted ones, or the
//     debugger holds CAP_SYS_PTRACE (effective) there;
//  4. Yama and other LSMs agree.
//
// Checks 1 and 2 are process-user's and ptrace-permission's; check 3 is
// capabilities'. Reading /proc/PID/exe, root and environ goes through the
// same check (PTRACE_MODE_READ_FSCREDS), so a refused read is evidence.

// capNames are the capability names by bit (include/uapi/linux/capability.h).
var capNames = []string{
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
	"SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
	"IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
	"SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
	"LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
	"WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
}

// CapNames returns the names of the capabilities in set, lowest bit first,
// without the CAP_ prefix; unknown bits are named by number.
func CapNames(set uint64) []string {
	var out []string
	for set != 0 {
		b := bits.TrailingZeros64(set)
		set &^= 1 << b
		if b < len(capNames) {
			out = append(out, capNames[b])
		} else {
			out = append(out, fmt.Sprintf("cap%d", b))
		}
	}
	return out
}

// missingCaps returns the process's permitted capabilities that the
// debugger's permitted set lacks: non-zero means check 3 refuses a
// debugger without CAP_SYS_PTRACE.
func (s *Snapshot) missingCaps() uint64 { return s.Status.CapPrm &^ s.Self.CapPrm }

// userNS returns the user namespace links of the debugger and the process
// ("" when unreadable).
func (s *Snapshot) userNS() (self, target string) {
	self, _ = os.Readlink(procPath(s.Env.Proc, "self", "ns", "user"))
	target, _ = os.Readlink(procPath(s.Env.Proc, s.PID, "ns", "user"))
	return self, target
}

// capabilities is the rule for check 3.
func capabilities(s *Snapshot, _ *dwarfcheck.Input) ([]finding.Finding, error) {
	if !s.alive() {
		return nil, finding.ErrNotApplicable
	}
	// With CAP_SYS_PTRACE check 3 passes; another user is refused by check
	// 1 first, reported by process-user or ptrace-permission.
	if s.HasCap() || s.otherUser() || s.nonDumpable() {
		return nil, nil
	}
	self, target := s.userNS()
	if self != "" && target != "" && self != target {
		// Another user namespace: the subset rule does not apply, and
		// whether the debugger holds the capability there (it does when it
		// owns the namespace) cannot be read from /proc.
		return nil, nil
	}
	missing := s.missingCaps()
	if missing == 0 {
		return nil, nil
	}
	pid := statusSrc(s.PID)
	names := CapNames(missing)
	f := finding.New("AT-CONTAINER-CAPSET",
		ev(pid, "CapPrm: %016x (%s)", s.Status.CapPrm, strings.Join(CapNames(s.Status.CapPrm), " ")),
		ev("/proc/self/status", "debugger CapPrm: %016x, lacking %s, and CapEff %016x lacks SYS_PTRACE", s.Self.CapPrm, strings.Join(names, " "), s.Self.CapEff))
	f.Evidence = append(f.Evidence, s.refusedReads()...)
	f.Evidence = append(f.Evidence, s.placeEvidence()...)
	f.Fixes = s.capFixesHere()
	adds := make([]string, len(names))
	for i, n := range names {
		adds[i] = "--cap-add=" + n
	}
	f.Fixes = append(f.Fixes, fix("or give the debugger the process's extra capabilities instead: "+strings.Join(adds, " ")))
	return []finding.Finding{f}, nil
}

// refusedReads returns, as evidence, the reads of the process's /proc
// files the kernel refused: the same access check the attach will meet.
func (s *Snapshot) refusedReads() []finding.Evidence {
	if s.ExeErr == nil || !isPermission(s.ExeErr) {
		return nil
	}
	return []finding.Evidence{ev(fmt.Sprintf("/proc/%d/exe", s.PID), "readlink refused: %v", errors.Unwrap(s.ExeErr))}
}

// isPermission reports whether err is a refusal (EACCES or EPERM).
func isPermission(err error) bool { return errors.Is(err, fs.ErrPermission) }

// explained reports whether the kernel model (checks 1–3, Yama) predicts
// a refusal, so that a refused /proc read needs no finding of its own.
func (s *Snapshot) explained() bool {
	if s.HasCap() {
		return false
	}
	if s.otherUser() || s.nonDumpable() || s.missingCaps() != 0 {
		return true
	}
	return s.Yama.Present && (s.Yama.Scope >= 2 || (s.Yama.Scope == 1 && !s.IsDescendant()))
}

// procAccess reports a refused read of /proc/PID/exe that no modelled
// cause explains: an LSM (AppArmor, SELinux, Landlock) or a user namespace.
func procAccess(s *Snapshot, _ *dwarfcheck.Input) ([]finding.Finding, error) {
	if !s.alive() {
		return nil, finding.ErrNotApplicable
	}
	if s.ExeErr == nil || !isPermission(s.ExeErr) || s.explained() {
		return nil, nil
	}
	f := finding.New("AT-PTRACE-DENIED", s.refusedReads()...)
	self, target := s.userNS()
	if self != target {
		f.Evidence = append(f.Evidence, ev("/proc/self/ns/user", "%s, the process's is %q", self, target))
	}
	if data, err := os.ReadFile(procPath(s.Env.Proc, "self", "attr", "current")); err == nil {
		if label := strings.TrimRight(string(data), "\x00\n"); label != "" && label != "unconfined" {
			f.Evidence = append(f.Evidence, ev("/proc/self/attr/current", "the debugger's LSM label: %s", label))
		}
	}
	f.Evidence = append(f.Evidence, s.placeEvidence()...)
	f.Fixes = append(s.capFixesHere(), fix("check the kernel log and the LSM's audit log for the denial", "dmesg"))
	return []finding.Finding{f}, nil
}

// placeEvidence returns where the debugger and the process run, as evidence.
func (s *Snapshot) placeEvidence() []finding.Evidence {
	var out []finding.Evidence
	for _, e := range s.SelfPlace.Evidence {
		out = append(out, ev("debugger's place", "%s", e))
	}
	for _, e := range s.Place.Evidence {
		out = append(out, ev("process's place", "%s", e))
	}
	return out
}
