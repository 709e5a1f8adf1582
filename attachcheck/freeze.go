package attachcheck

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
)

// A process in a frozen cgroup (docker/podman pause, the cgroup freezer)
// cannot stop for a debugger: PTRACE_ATTACH queues a stop that comes only
// after the thaw, so an attach waits for as long as the freeze lasts, and
// a debugger that gives up leaves the queued stop behind: the process
// stops (State T) the moment it is thawed.

// A Freeze is the freezer state of a process's cgroup.
type Freeze struct {
	File  string // the file read: .../freezer.state (v1) or .../cgroup.freeze (v2)
	State string // "FROZEN", "FREEZING" (v1) or "1" (v2)
}

// cgroupMount is one cgroup filesystem of a mountinfo.
type cgroupMount struct {
	Root, Point string // the hierarchy path the mount shows, and where
	V2          bool
	Freezer     bool // a v1 hierarchy with the freezer controller
}

// parseCgroupMounts returns the cgroup mounts of mountinfo text.
func parseCgroupMounts(data []byte) []cgroupMount {
	var out []cgroupMount
	for _, line := range strings.Split(string(data), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		f, g := strings.Fields(pre), strings.Fields(post)
		if !ok || len(f) < 5 || len(g) < 3 {
			continue
		}
		m := cgroupMount{Root: unescapeMount(f[3]), Point: unescapeMount(f[4])}
		switch g[0] {
		case "cgroup2":
			m.V2 = true
		case "cgroup":
			for _, o := range strings.Split(g[2], ",") {
				m.Freezer = m.Freezer || o == "freezer"
			}
			if !m.Freezer {
				continue
			}
		default:
			continue
		}
		out = append(out, m)
	}
	return out
}

// freezerFiles returns the freezer files of a process whose /proc/PID/cgroup
// text is cgroup, as seen through the mounts of mountinfo, with paths below
// prefix (the root the mounts are seen from).
func freezerFiles(cgroup, mountinfo []byte, prefix string) []string {
	var out []string
	mounts := parseCgroupMounts(mountinfo)
	for _, line := range strings.Split(string(cgroup), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		v2 := parts[0] == "0" && parts[1] == ""
		freezer := false
		for _, c := range strings.Split(parts[1], ",") {
			freezer = freezer || c == "freezer"
		}
		if !v2 && !freezer {
			continue
		}
		for _, m := range mounts {
			if m.V2 != v2 {
				continue
			}
			rel, ok := below(parts[2], m.Root)
			if !ok {
				continue
			}
			name := "freezer.state"
			if v2 {
				name = "cgroup.freeze"
			}
			out = append(out, filepath.Join(prefix, m.Point, rel, name))
		}
	}
	return out
}

// below returns p relative to root when p is root or inside it.
func below(p, root string) (string, bool) {
	if root == "/" {
		return p, true
	}
	if p == root {
		return "/", true
	}
	rest, ok := strings.CutPrefix(p, strings.TrimSuffix(root, "/")+"/")
	return "/" + rest, ok
}

// ReadFreeze reads whether the cgroup of pid is frozen, through the
// debugger's cgroup mounts, then through the process's own (a sidecar
// sees its own cgroup only). It returns false when no freezer file says
// frozen or none can be read.
func ReadFreeze(proc string, pid int) (Freeze, bool) {
	cg, err := os.ReadFile(procPath(proc, pid, "cgroup"))
	if err != nil {
		return Freeze{}, false
	}
	var files []string
	if mi, err := os.ReadFile(procPath(proc, "self", "mountinfo")); err == nil {
		files = freezerFiles(cg, mi, "/")
	}
	if mi, err := os.ReadFile(procPath(proc, pid, "mountinfo")); err == nil {
		files = append(files, freezerFiles(cg, mi, procPath(proc, pid, "root"))...)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		switch st := strings.TrimSpace(string(data)); st {
		case "FROZEN", "FREEZING", "1":
			return Freeze{File: f, State: st}, true
		case "THAWED", "0":
			return Freeze{File: f, State: st}, false
		}
	}
	return Freeze{}, false
}

// frozen is the rule for a process in a frozen cgroup.
func frozen(s *Snapshot, _ *dwarfcheck.Input) ([]finding.Finding, error) {
	if !s.alive() {
		return nil, finding.ErrNotApplicable
	}
	fz, ok := ReadFreeze(s.Env.Proc, s.PID)
	if !ok {
		return nil, nil
	}
	f := finding.New("AT-STATE-FROZEN", ev(fz.File, "%s", fz.State),
		ev(statusSrc(s.PID), "State: %s", s.Status.StateText))
	f.Evidence = append(f.Evidence, s.placeEvidence()...)
	f.Fixes = s.unpauseFixes(fz)
	return []finding.Finding{f}, nil
}

// unpauseFixes returns how to thaw the process's cgroup.
func (s *Snapshot) unpauseFixes(fz Freeze) []finding.Fix {
	thaw := "THAWED"
	if strings.HasSuffix(fz.File, "cgroup.freeze") {
		thaw = "0"
	}
	var fs []finding.Fix
	if s.Place.Runtime != "" {
		fs = append(fs, fix("unpause the container (from the host), then attach", s.Place.Engine(), "unpause", s.Place.Ref()))
	}
	return append(fs, fix("or thaw the cgroup directly", "sh", "-c", fmt.Sprintf("echo %s > %s", thaw, strconv.Quote(fz.File))))
}

// ErrNotAttempted is the attach error of a process the preflight refused
// before tracing it: attaching would wait for a stop that cannot come.
var ErrNotAttempted = errors.New("not attempted")

// FrozenCause returns a *CauseError wrapping ErrNotAttempted when rep, a
// report on pid, found its cgroup frozen (AT-STATE-FROZEN), nil otherwise.
// The error names the freezer file and the unpause command.
func FrozenCause(pid int, rep *finding.Report) error {
	if rep == nil {
		return nil
	}
	f := First(rep, finding.SevError, "AT-STATE-FROZEN")
	if f == nil {
		return nil
	}
	return &CauseError{PID: pid, Cause: *f, Err: ErrNotAttempted}
}

// RefuseFrozen runs the frozen check alone on pid, for an attach that
// found its process itself (--waitfor), and returns FrozenCause's error.
// A process it cannot read is not refused: the attach reports it.
func RefuseFrozen(env *Env, pid int) error {
	rep, _, err := Diagnose(env, pid, Options{Only: []string{"frozen"}})
	if err != nil {
		return nil
	}
	return FrozenCause(pid, rep)
}
