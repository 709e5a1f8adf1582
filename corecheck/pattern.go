package corecheck

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/dlvx/dlvx/finding"
)

// A corePattern is kernel.core_pattern, resolved for one process.
type corePattern struct {
	raw     string
	pipe    bool
	handler string // the pipe's program
	path    string // the file the kernel would write, as the process sees it
	dir     string // its directory below the /proc root: what to stat
}

// discarders are pipe handlers that keep nothing.
var discarders = map[string]bool{"/bin/false": true, "/usr/bin/false": true, "/bin/true": true, "/usr/bin/true": true, "/dev/null": true}

func setupPattern(in *SetupInput) ([]finding.Finding, error) {
	src := "/proc/sys/kernel/core_pattern"
	data, err := os.ReadFile(filepath.Join(in.Env.Proc, "sys/kernel/core_pattern"))
	if err != nil {
		return nil, err
	}
	p := &corePattern{raw: strings.TrimRight(string(data), "\n")}
	in.pattern = p
	if rest, ok := strings.CutPrefix(p.raw, "|"); ok {
		p.pipe = true
		if f := strings.Fields(rest); len(f) > 0 {
			p.handler = f[0]
		}
		return []finding.Finding{pipeFinding(in, p, src)}, nil
	}
	if strings.TrimSpace(p.raw) == "" {
		return []finding.Finding{finding.New("ENV-CORE-PATTERN-NONE", finding.Evidencef(src, "empty"))}, nil
	}
	name := expandPattern(p.raw, in)
	if !strings.Contains(p.raw, "%p") {
		if b, err := os.ReadFile(filepath.Join(in.Env.Proc, "sys/kernel/core_uses_pid")); err == nil && strings.TrimSpace(string(b)) == "1" {
			name += "." + strconv.Itoa(in.PID)
		}
	}
	if filepath.IsAbs(name) {
		p.path, p.dir = name, in.proc("root", filepath.Dir(name))
	} else {
		cwd, _ := os.Readlink(in.proc("cwd"))
		p.path, p.dir = filepath.Join(cwd, name), filepath.Join(in.proc("cwd"), filepath.Dir(name))
	}
	return []finding.Finding{finding.New("ENV-CORE-PATTERN", finding.Evidencef(src, "%q: the kernel writes the core to %s, in the process's filesystem", p.raw, p.path))}, nil
}

// pipeFinding describes where a pipe handler puts the core.
func pipeFinding(in *SetupInput, p *corePattern, src string) finding.Finding {
	ev := finding.Evidencef(src, "%q", p.raw)
	switch base := filepath.Base(p.handler); {
	case discarders[p.handler] || p.handler == "":
		f := finding.New("ENV-CORE-PATTERN-NONE", ev)
		f.Fixes = []finding.Fix{{Summary: "write cores to files again", Command: []string{"sysctl", "kernel.core_pattern=core"}}}
		return f
	case base == "systemd-coredump":
		f := finding.New("ENV-CORE-PATTERN", ev, finding.Evidencef(p.handler, "systemd-coredump stores the core compressed (zstd) under /var/lib/systemd/coredump, subject to its ProcessSizeMax and ExternalSizeMax"))
		f.Fixes = []finding.Fix{{Summary: "after a crash, write the plain core for dlvx core", Command: []string{"coredumpctl", "dump", strconv.Itoa(in.PID), "-o", "core"}}}
		return f
	case base == "apport":
		return finding.New("ENV-CORE-PATTERN", ev, finding.Evidencef(p.handler, "apport writes crash reports under /var/crash, and keeps cores (under /var/lib/apport/coredump) only for programs it is configured to handle"))
	}
	return finding.New("ENV-CORE-PATTERN", ev, finding.Evidencef(p.handler, "the handler decides where the core goes"))
}

// expandPattern replaces the core_pattern specifiers the doctor knows the
// value of; the others become their upper-case names.
func expandPattern(pat string, in *SetupInput) string {
	var b strings.Builder
	for i := 0; i < len(pat); i++ {
		if pat[i] != '%' || i+1 == len(pat) {
			b.WriteByte(pat[i])
			continue
		}
		i++
		switch pat[i] {
		case '%':
			b.WriteByte('%')
		case 'p', 'P':
			b.WriteString(strconv.Itoa(in.PID))
		case 'e':
			b.WriteString(in.Snap.Status.Name)
		case 'u':
			b.WriteString(strconv.Itoa(in.Snap.Status.Uid[1]))
		case 's':
			b.WriteString("SIGNAL")
		case 't':
			b.WriteString("TIME")
		case 'h':
			h, _ := os.Hostname()
			b.WriteString(h)
		default:
			b.WriteString("%" + string(pat[i]))
		}
	}
	return b.String()
}

func setupDir(in *SetupInput) ([]finding.Finding, error) {
	p := in.pattern
	if p.pipe || p.dir == "" {
		return nil, finding.ErrNotApplicable
	}
	st, err := os.Stat(p.dir)
	shown := filepath.Dir(p.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f := finding.New("ENV-CORE-DIR", finding.Evidencef(shown, "does not exist in the process's filesystem"))
		f.Fixes = []finding.Fix{{Summary: "create the directory, writable by the process's user", Command: []string{"mkdir", "-p", shown}}}
		return []finding.Finding{f}, nil
	case err != nil:
		return nil, err
	}
	uid := in.Snap.Status.Uid[1]
	if !writableBy(st, uid, in.Snap.Status.Gid[1]) {
		f := finding.New("ENV-CORE-DIR", finding.Evidencef(shown, "mode %v, owner uid %d: not writable by uid %d", st.Mode().Perm(), ownerOf(st), uid))
		f.Fixes = []finding.Fix{{Summary: "point core_pattern at a directory the process can write", Command: []string{"sysctl", "kernel.core_pattern=/var/tmp/core.%e.%p"}}}
		return []finding.Finding{f}, nil
	}
	free, err := in.Env.Free(p.dir)
	if err != nil || in.rss == 0 || free >= in.rss {
		return nil, nil
	}
	f := finding.New("ENV-CORE-SPACE", finding.Evidencef(shown, "%s free", mib(free)), finding.Evidencef(in.src("status"), "VmRSS %s", mib(in.rss)))
	f.Fixes = []finding.Fix{{Summary: "free space there, or point core_pattern at a larger filesystem"}}
	return []finding.Finding{f}, nil
}

// writableBy reports whether uid (with primary group gid) may create
// files in the directory st describes, by its mode bits.
func writableBy(st os.FileInfo, uid, gid int) bool {
	if uid == 0 {
		return true
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	m := st.Mode().Perm()
	switch {
	case int(sys.Uid) == uid:
		return m&0o300 == 0o300
	case int(sys.Gid) == gid:
		return m&0o030 == 0o030
	}
	return m&0o003 == 0o003
}

func ownerOf(st os.FileInfo) int {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return int(sys.Uid)
	}
	return -1
}

// statfsFree returns the bytes available to unprivileged users below path.
func statfsFree(path string) (uint64, error) {
	var s syscall.Statfs_t
	if err := syscall.Statfs(path, &s); err != nil {
		return 0, fmt.Errorf("statfs %s: %w", path, err)
	}
	return s.Bavail * uint64(s.Bsize), nil
}
