package attachcheck

import (
	"slices"
	"strings"
	"testing"
)

func TestParseStatus(t *testing.T) {
	st, err := ParseStatus([]byte("Name:\tworker\nState:\tt (tracing stop)\nTgid:\t7\nPid:\t8\nPPid:\t1\nTracerPid:\t9\n" +
		"Uid:\t1000\t1001\t1002\t1003\nGid:\t5\t5\t5\t5\nNSpid:\t8\t2\nCapEff:\t0000000000080000\nSeccomp:\t2\nNoNewPrivs:\t1\nVmHWM:\t   91760 kB\n"))
	if err != nil {
		t.Fatal(err)
	}
	if st.State != 't' || st.Tgid != 7 || st.PID != 8 || st.TracerPid != 9 || st.Uid != [4]int{1000, 1001, 1002, 1003} ||
		len(st.NSpid) != 2 || !st.HasCapSysPtrace() || st.Seccomp != 2 || !st.NoNewPrivs || st.VmHWM != 91760 {
		t.Errorf("parsed %+v", st)
	}
	for _, bad := range []string{"", "Pid:\t1\n", "Pid:\tx\nState:\tR\n", "Pid:\t1\nState:\tR\nUid:\t1 2\n", "Pid:\t1\nState:\tR\nCapEff:\tzz\n", "Pid:\t1\nState:\tR\nVmHWM:\t9 MB\n"} {
		if _, err := ParseStatus([]byte(bad)); err == nil {
			t.Errorf("ParseStatus(%q) accepted", bad)
		}
	}
}

func TestMountOf(t *testing.T) {
	ms := parseMountinfo([]byte("22 1 0:21 / /proc rw,nosuid - proc proc rw\n23 22 0:21 /sys /proc/sys ro,nosuid - proc proc rw\n" +
		"24 1 8:1 / / rw - ext4 /dev/sda1 rw\n25 1 8:1 / /mnt/a\\040b ro - ext4 /dev/sda1 rw\nshort line\n"))
	tests := []struct {
		path string
		want string
		ro   bool
	}{
		{"/proc/sys/kernel/yama/ptrace_scope", "/proc/sys", true},
		{"/proc/self/status", "/proc", false},
		{"/proc/system", "/proc", false},
		{"/mnt/a b/x", "/mnt/a b", true},
		{"/etc/passwd", "/", false},
	}
	for _, tc := range tests {
		m, ok := mountOf(ms, tc.path)
		if !ok || m.Point != tc.want || m.ReadOnly != tc.ro {
			t.Errorf("mountOf(%s) = %+v, %v; want %s ro=%v", tc.path, m, ok, tc.want, tc.ro)
		}
	}
}

// FuzzParseProc feeds arbitrary text to the /proc parsers: they must
// return errors, never panic.
func FuzzParseProc(f *testing.F) {
	f.Add([]byte("Name:\tx\nState:\tS (sleeping)\nPid:\t1\nUid:\t0\t0\t0\t0\nNSpid:\t1\t2\n"))
	f.Add([]byte("22 1 0:21 / /proc\\04 rw - proc proc rw\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseStatus(data)
		for _, m := range parseMountinfo(data) {
			mountOf([]mount{m}, "/proc/sys/kernel/yama/ptrace_scope")
		}
		unescapeMount(strings.ReplaceAll(string(data), "\n", ""))
	})
}

func TestParseListening(t *testing.T) {
	table := []byte("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
		"   0: 0100007F:A1B2 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n" +
		"   1: 0100007F:A1B3 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 100 0 0 10 0\n" +
		"   2: 0100007F:A1B4 0100007F:1234 01 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n")
	got := parseListening(table, map[string]bool{"4242": true})
	if len(got) != 1 || got[0] != "127.0.0.1:41394" {
		t.Errorf("listening %v, want [127.0.0.1:41394]", got)
	}
	if a, ok := decodeProcAddr("00000000000000000000000001000000:0050"); !ok || a != "[::1]:80" {
		t.Errorf("IPv6 loopback decodes as %q, %v", a, ok)
	}
	if _, ok := decodeProcAddr("zz:1"); ok {
		t.Error("a malformed address decodes")
	}
}

// Tracees finds the processes a thread of the debugger traces, and only
// those; a debugger whose threads cannot be listed cannot tell.
func TestTracees(t *testing.T) {
	h := newFakeHost(t)
	if _, err := h.env.Tracees(); err == nil {
		t.Fatal("Tracees without /proc/self/task: no error")
	}
	h.write("self/task/100/status", "")
	h.write("self/task/104/status", "")
	h.process(200, 1, h.uid, "/bin/app", []string{"/bin/app"}, "TracerPid:\t104")
	h.process(201, 1, h.uid, "/bin/other", []string{"/bin/other"}, "TracerPid:\t300")
	h.process(202, 1, h.uid, "/bin/free", []string{"/bin/free"})
	h.write("203/status", "garbage")
	got, err := h.env.Tracees()
	if err != nil || !slices.Equal(got, []int{200}) {
		t.Errorf("Tracees() = %v, %v; want [200]", got, err)
	}
	if !h.env.TracedBySelf(104) || h.env.TracedBySelf(300) || h.env.TracedBySelf(0) {
		t.Error("TracedBySelf: want only the debugger's thread 104")
	}
}
