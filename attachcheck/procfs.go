package attachcheck

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Status holds the fields of /proc/PID/status that dlvx reads. ParseStatus
// is dlvx's one parser of that file: the preflight, the DAP layer's search
// for the process it debugs, exit safety and the tests all use it.
type Status struct {
	Name       string
	State      byte   // R, S, D, T, t, Z, X
	StateText  string // "T (stopped)"
	PID        int
	Tgid       int // the process of a thread ID
	PPid       int
	TracerPid  int
	Uid        [4]int // real, effective, saved, filesystem
	Gid        [4]int
	NSpid      []int  // outermost (this /proc's namespace) first
	CapEff     uint64 // 0 when absent
	CapPrm     uint64 // the permitted set; 0 when absent
	ShdPnd     uint64 // signals pending for the whole process
	Seccomp    int    // 0 none, 1 strict, 2 filter
	NoNewPrivs bool
	Threads    int
	VmHWM      uint64 // peak resident set size in KiB; 0 when absent (a zombie, a kernel thread)
}

// A ProcError reports a /proc file that exists but cannot be parsed.
type ProcError struct {
	Path string
	Err  error
}

func (e *ProcError) Error() string { return fmt.Sprintf("parse %s: %v", e.Path, e.Err) }

// Unwrap returns the underlying error.
func (e *ProcError) Unwrap() error { return e.Err }

// ReadStatus reads and parses the status file at path, e.g.
// /proc/42/status. A file that cannot be read returns the *fs.PathError
// (fs.ErrNotExist once the process is gone); one that cannot be parsed, a
// *ProcError.
func ReadStatus(path string) (*Status, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	st, err := ParseStatus(data)
	if err != nil {
		return nil, &ProcError{Path: path, Err: err}
	}
	return st, nil
}

// ParseStatus parses the text of a /proc/PID/status file. Unknown fields
// are ignored; a known field with a malformed value is an error.
func ParseStatus(data []byte) (*Status, error) {
	st := &Status{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		if err := st.set(key, strings.TrimSpace(val)); err != nil {
			return nil, fmt.Errorf("field %s: %w", key, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if st.PID == 0 || st.State == 0 {
		return nil, errors.New("no Pid or State field")
	}
	return st, nil
}

func (st *Status) set(key, val string) error {
	var err error
	switch key {
	case "Name":
		st.Name = val
	case "State":
		if val != "" {
			st.State, st.StateText = val[0], val
		}
	case "Pid":
		st.PID, err = strconv.Atoi(val)
	case "Tgid":
		st.Tgid, err = strconv.Atoi(val)
	case "PPid":
		st.PPid, err = strconv.Atoi(val)
	case "TracerPid":
		st.TracerPid, err = strconv.Atoi(val)
	case "Threads":
		st.Threads, err = strconv.Atoi(val)
	case "Uid":
		err = fourInts(val, &st.Uid)
	case "Gid":
		err = fourInts(val, &st.Gid)
	case "NSpid":
		st.NSpid, err = ints(val)
	case "CapEff":
		st.CapEff, err = strconv.ParseUint(val, 16, 64)
	case "CapPrm":
		st.CapPrm, err = strconv.ParseUint(val, 16, 64)
	case "ShdPnd":
		st.ShdPnd, err = strconv.ParseUint(val, 16, 64)
	case "Seccomp":
		st.Seccomp, err = strconv.Atoi(val)
	case "NoNewPrivs":
		st.NoNewPrivs = val == "1"
	case "VmHWM":
		st.VmHWM, err = strconv.ParseUint(strings.TrimSuffix(val, " kB"), 10, 64)
	}
	return err
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Fields(s) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func fourInts(s string, dst *[4]int) error {
	v, err := ints(s)
	if err != nil {
		return err
	}
	if len(v) != 4 {
		return fmt.Errorf("want 4 values, got %d", len(v))
	}
	copy(dst[:], v)
	return nil
}

// capSysPtrace is the bit of CAP_SYS_PTRACE in the capability sets.
const capSysPtrace = 19

// HasCapSysPtrace reports whether CAP_SYS_PTRACE is in CapEff.
func (st *Status) HasCapSysPtrace() bool { return st.CapEff&(1<<capSysPtrace) != 0 }

// readCmdline returns the NUL-separated arguments of /proc/PID/cmdline.
func readCmdline(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil || len(data) == 0 {
		return nil
	}
	return strings.Split(strings.TrimRight(string(data), "\x00"), "\x00")
}

// deletedSuffix is what the kernel appends to /proc/PID/exe's target when
// the file was unlinked.
const deletedSuffix = " (deleted)"

// A mount is one line of mountinfo: where a filesystem is mounted and
// whether it is read-only.
type mount struct {
	Point    string
	ReadOnly bool
}

// readMountinfo reads and parses /proc/PID/mountinfo.
func readMountinfo(path string) ([]mount, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseMountinfo(data), nil
}

// parseMountinfo parses mountinfo text; lines too short are skipped.
func parseMountinfo(data []byte) []mount {
	var ms []mount
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		ro := false
		for _, o := range strings.Split(f[5], ",") {
			ro = ro || o == "ro"
		}
		ms = append(ms, mount{Point: unescapeMount(f[4]), ReadOnly: ro})
	}
	return ms
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// mountOf returns the mount that holds the absolute path p: the one with
// the longest mount point that is a prefix of p.
func mountOf(ms []mount, p string) (mount, bool) {
	var best mount
	found := false
	for _, m := range ms {
		if m.Point == p || m.Point == "/" || strings.HasPrefix(p, strings.TrimSuffix(m.Point, "/")+"/") {
			if !found || len(m.Point) >= len(best.Point) {
				best, found = m, true
			}
		}
	}
	return best, found
}

// procPath joins a /proc root and the parts of a path below it.
func procPath(root string, parts ...any) string {
	s := make([]string, 0, len(parts)+1)
	s = append(s, root)
	for _, p := range parts {
		s = append(s, fmt.Sprint(p))
	}
	return filepath.Join(s...)
}

// listeningTCP returns the TCP addresses pid listens on: the sockets among
// its open files that /proc/PID/net/tcp{,6} list in state LISTEN.
func listeningTCP(root string, pid int) []string {
	inodes := map[string]bool{}
	fds, err := os.ReadDir(procPath(root, pid, "fd"))
	if err != nil {
		return nil
	}
	for _, fd := range fds {
		target, err := os.Readlink(procPath(root, pid, "fd", fd.Name()))
		if ino, ok := strings.CutPrefix(target, "socket:["); err == nil && ok {
			inodes[strings.TrimSuffix(ino, "]")] = true
		}
	}
	var addrs []string
	for _, table := range []string{"tcp", "tcp6"} {
		data, err := os.ReadFile(procPath(root, pid, "net", table))
		if err != nil {
			continue
		}
		addrs = append(addrs, parseListening(data, inodes)...)
	}
	return addrs
}

// parseListening returns the local addresses of the LISTEN sockets of a
// /proc/net/tcp or tcp6 table whose inode is in inodes.
func parseListening(table []byte, inodes map[string]bool) []string {
	const stateListen = "0A"
	var out []string
	for _, line := range strings.Split(string(table), "\n") {
		f := strings.Fields(line)
		if len(f) < 10 || f[3] != stateListen || !inodes[f[9]] {
			continue
		}
		if addr, ok := decodeProcAddr(f[1]); ok {
			out = append(out, addr)
		}
	}
	return out
}

// decodeProcAddr decodes "0100007F:1F90" (IPv4) or the 32-digit IPv6 form:
// the address as 32-bit words in host (little-endian) order, the port in
// big-endian hex.
func decodeProcAddr(s string) (string, bool) {
	hexIP, hexPort, ok := strings.Cut(s, ":")
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if !ok || err != nil || (len(hexIP) != 8 && len(hexIP) != 32) {
		return "", false
	}
	ip := make(net.IP, len(hexIP)/2)
	for w := 0; w < len(ip)/4; w++ {
		v, err := strconv.ParseUint(hexIP[w*8:w*8+8], 16, 32)
		if err != nil {
			return "", false
		}
		binary.LittleEndian.PutUint32(ip[w*4:], uint32(v))
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(int(port))), true
}
