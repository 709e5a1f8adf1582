package attachcheck

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/dlvx/dlvx/finding"
)

// A process's files are those of its mount namespace: /proc/PID/root/PATH
// from anywhere (the host, its own container, a sidecar). The debugger's
// own PATH is another file whenever the two do not share a mount
// namespace: a sidecar of the same image has its own copy of /app/app.

// inRoot returns path as the process sees it, below /proc/PID/root.
func (s *Snapshot) inRoot(path string) string {
	return procPath(s.Env.Proc, s.PID, "root", path)
}

// rootedDirs returns dirs as the process sees them, for the separate
// debug information lookups.
func (s *Snapshot) rootedDirs(dirs []string) []string {
	out := make([]string, len(dirs))
	for i, d := range dirs {
		out[i] = s.inRoot(d)
	}
	return out
}

// deletedExe reports the executable the process runs whose file was
// unlinked: AT-EXEDEL-REPLACED when the process's filesystem has a new
// file at the path, AT-EXEDEL when it has none or cannot be looked at.
func (s *Snapshot) deletedExe(path string) finding.Finding {
	src := fmt.Sprintf("/proc/%d/exe", s.PID)
	seen := s.inRoot(path)
	st, err := os.Stat(seen)
	if err == nil {
		f := finding.New("AT-EXEDEL-REPLACED", ev(src, "-> %s", s.Exe),
			ev(seen, "a new file in the process's filesystem, modified %s", st.ModTime().UTC().Format("2006-01-02 15:04:05 UTC")))
		f.Fixes = []finding.Fix{fix("restart the process from the new build if the sources match it"),
			fix("or attach without naming the path: dlvx reads /proc/PID/exe", "dlvx", "attach", strconv.Itoa(s.PID))}
		return f
	}
	f := finding.New("AT-EXEDEL", ev(src, "-> %s", s.Exe))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f.Evidence = append(f.Evidence, ev(seen, "no file at the path in the process's filesystem"))
	default:
		f.Evidence = append(f.Evidence, ev(seen, "cannot tell whether a new file replaced it: %v", errors.Unwrap(err)))
	}
	f.Fixes = []finding.Fix{fix("check out the sources of the running build, or restart the process from a fresh build")}
	return f
}

// exePath returns the path to read the running executable from: its path
// when the debugger sees the same file there, the path in the process's
// filesystem when that is the same file, else /proc/PID/exe, which reaches
// deleted and namespaced executables.
func (s *Snapshot) exePath() string {
	viaProc := procPath(s.Env.Proc, s.PID, "exe")
	if s.Exe == "" || strings.HasSuffix(s.Exe, deletedSuffix) {
		return viaProc
	}
	running, err := os.Stat(viaProc)
	if err != nil {
		return viaProc
	}
	for _, p := range []string{s.Exe, s.inRoot(s.Exe)} {
		if st, err := os.Stat(p); err == nil && os.SameFile(running, st) {
			return p
		}
	}
	return viaProc
}
