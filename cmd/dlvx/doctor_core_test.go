package main

import (
	"debug/elf"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// coreIDs runs dlvx doctor --core with args and returns the IDs of its
// findings by severity, and its exit status.
func coreIDs(t *testing.T, args ...string) (errs, all []string, code int) {
	t.Helper()
	out, code := runDlvx(t, append([]string{"doctor", "--json", "--core"}, args...)...)
	var rep struct {
		Findings []struct {
			ID       string `json:"id"`
			Severity string `json:"severity"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("doctor --core %v: exit %d, output is not JSON: %v\n%s", args, code, err, out)
	}
	for _, f := range rep.Findings {
		all = append(all, f.ID)
		if f.Severity == "error" {
			errs = append(errs, f.ID)
		}
	}
	return errs, all, code
}

// delveCore opens core with dlvx core, lists the goroutines and exits. It
// returns dlvx's output and whether the goroutines came out whole.
func delveCore(t *testing.T, exe, core string) (string, bool) {
	t.Helper()
	s := startDlvx(t, t.TempDir(), []string{"goroutines", "exit"}, "core", exe, core)
	out, code := s.waitStatus(t)
	ok := code == 0 && strings.Contains(out, " goroutines]") && !strings.Contains(out, "error") && !strings.Contains(out, "unreadable")
	return out, ok
}

// lastLine returns the last non-empty line of out, for logs.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}

// crashCore builds the crash fixture with v and returns it and a core of
// it, made by a GOTRACEBACK=crash SIGABRT.
func crashCore(t *testing.T, v fixtures.Variant) (exe, core string) {
	t.Helper()
	exe = fixtures.Build(t, "crash", v)
	return exe, fixtures.CrashCore(t, exe)
}

// TestDoctorCoreGood: cores of every build flavour load in dlvx core with
// their goroutines, and the doctor finds no error in them.
func TestDoctorCoreGood(t *testing.T) {
	variants := []fixtures.Variant{
		fixtures.Default,
		fixtures.NoOpt,
		fixtures.PIE,
		{Name: "dwarf4", Env: []string{"GOEXPERIMENT=nodwarf5"}},
		{Name: "cgo", Flags: []string{"-tags=withcgo"}, Env: []string{"CGO_ENABLED=1"}},
	}
	for _, v := range variants {
		t.Run(v.Name, func(t *testing.T) {
			exe, core := crashCore(t, v)
			errs, all, code := coreIDs(t, core, exe)
			out, loads := delveCore(t, exe, core)
			t.Logf("doctor: exit %d, %v; dlvx core: %s", code, all, lastLine(out))
			if code != 0 || len(errs) > 0 || !slices.Contains(all, "ENV-CORE-MATCH") {
				t.Errorf("doctor: exit %d, errors %v, findings %v; want 0, none, ENV-CORE-MATCH", code, errs, all)
			}
			if !loads {
				t.Errorf("dlvx core did not list the goroutines:\n%s", out)
			}
			// The core names its executable: BINARY may be left out.
			if _, all2, code2 := coreIDs(t, core); code2 != 0 || !slices.Contains(all2, "ENV-CORE-EXE") {
				t.Errorf("doctor without BINARY: exit %d, %v", code2, all2)
			}
		})
	}
}

// TestDoctorCoreDelveDump: a core written by Delve's dump command (its
// own notes, no NT_FILE) loads, and the doctor matches it through the
// entry point.
func TestDoctorCoreDelveDump(t *testing.T) {
	exe := fixtures.Build(t, "crash", fixtures.Default)
	p := startTarget(t, exe)
	dir := t.TempDir()
	core := filepath.Join(dir, "dump.core")
	startDlvx(t, dir, []string{"dump " + core, "exit"}, "attach", strconv.Itoa(p.PID)).waitStatus(t)
	errs, all, code := coreIDs(t, core, exe)
	out, loads := delveCore(t, exe, core)
	t.Logf("doctor: exit %d, %v; dlvx core: %s", code, all, lastLine(out))
	if code != 0 || len(errs) > 0 || !slices.Contains(all, "ENV-CORE-MATCH") {
		t.Errorf("doctor: exit %d, errors %v, findings %v; want 0, none, ENV-CORE-MATCH", code, errs, all)
	}
	if !loads {
		t.Errorf("dlvx core did not list the goroutines:\n%s", out)
	}
}

// TestDoctorCoreBad: for each damaged core or wrong executable, the
// doctor names the cause with an error, and dlvx core fails or shows
// less than the whole process.
func TestDoctorCoreBad(t *testing.T) {
	exe, core := crashCore(t, fixtures.Default)
	dir := t.TempDir()
	data, err := os.ReadFile(core)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	zst := filepath.Join(dir, "core.zst")
	if out, err := exec.Command(fixtures.NeedTool(t, "zstd"), "-q", core, "-o", zst).CombinedOutput(); err != nil {
		t.Fatalf("zstd: %v\n%s", err, out)
	}
	other := fixtures.Build(t, "crash", fixtures.NoOpt)
	stripped := filepath.Join(dir, "crash-stripped")
	if out, err := exec.Command(fixtures.NeedTool(t, "strip"), "-o", stripped, exe).CombinedOutput(); err != nil {
		t.Fatalf("strip: %v\n%s", err, out)
	}
	random := make([]byte, 64<<10)
	for i := range random {
		random[i] = byte(i*7919 + i>>3)
	}
	cases := []struct {
		name, core, exe string
		want            string
		delveFails      bool // dlvx core shows an error for this one
	}{
		{"truncated-headers", write("t-1000", data[:1000]), exe, "ENV-CORE-TRUNCATED", true},
		{"truncated-early", write("t-20000", data[:20000]), exe, "ENV-CORE-TRUNCATED", true},
		{"truncated-half", write("t-half", data[:len(data)/2]), exe, "ENV-CORE-TRUNCATED", false},
		{"truncated-last-page", write("t-end", data[:len(data)-4096]), exe, "ENV-CORE-TRUNCATED", false},
		{"zstd", zst, exe, "ENV-CORE-COMPRESSED", true},
		{"other-build", core, other, "ENV-CORE-MISMATCH", false},
		{"stripped-binary", core, stripped, "ENV-CORE-NODWARF", true},
		{"executable", exe, exe, "ENV-CORE-NOTCORE", true},
		{"empty", write("empty", nil), exe, "ENV-CORE-EMPTY", true},
		{"random", write("random", random), exe, "ENV-CORE-NOTELF", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs, all, code := coreIDs(t, tc.core, tc.exe)
			out, loads := delveCore(t, tc.exe, tc.core)
			t.Logf("doctor: exit %d, %v; dlvx core: %s", code, all, lastLine(out))
			if code != 1 || !slices.Contains(errs, tc.want) {
				t.Errorf("doctor: exit %d, errors %v; want 1 and %s", code, errs, tc.want)
			}
			if tc.delveFails && loads {
				t.Errorf("dlvx core loaded the goroutines, the doctor says %v:\n%s", errs, out)
			}
		})
	}
}

// TestDoctorCoreNoNotes: a core whose PT_NOTE header was blanked. The
// doctor names it; dlvx core reports it instead of dying of a nil pointer
// (patch 0013).
func TestDoctorCoreNoNotes(t *testing.T) {
	exe, core := crashCore(t, fixtures.Default)
	data, err := os.ReadFile(core)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	phoff, phnum, blanked := le.Uint64(data[32:]), int(le.Uint16(data[56:])), 0
	for i := range phnum {
		at := phoff + uint64(56*i)
		if elf.ProgType(le.Uint32(data[at:])) == elf.PT_NOTE {
			le.PutUint32(data[at:], uint32(elf.PT_NULL))
			blanked++
		}
	}
	if blanked != 1 {
		t.Fatalf("blanked %d PT_NOTE headers, want 1", blanked)
	}
	nonotes := filepath.Join(t.TempDir(), "core.nonotes")
	if err := os.WriteFile(nonotes, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if errs, _, code := coreIDs(t, nonotes, exe); code != 1 || !slices.Contains(errs, "ENV-CORE-NONOTES") {
		t.Errorf("doctor: exit %d, errors %v; want 1 and ENV-CORE-NONOTES", code, errs)
	}
	s := startDlvx(t, t.TempDir(), []string{"exit"}, "core", exe, nonotes)
	out, code := s.waitStatus(t)
	if code == 0 || strings.Contains(out, "panic:") || !strings.Contains(out, "PT_NOTE") {
		t.Errorf("dlvx core on a core without PT_NOTE: exit %d\n%s", code, out)
	}
}

// TestDoctorCoreUsage: files that cannot be read are the doctor's
// failure (exit 2), not findings.
func TestDoctorCoreUsage(t *testing.T) {
	exe := fixtures.Build(t, "crash", fixtures.Default)
	missing := filepath.Join(t.TempDir(), "nothing")
	for _, args := range [][]string{{missing, exe}, {exe + ".nope", missing}, {exe, missing}} {
		if _, code := runDlvx(t, append([]string{"doctor", "--core"}, args...)...); code != 2 {
			t.Errorf("doctor --core %v: exit %d, want 2", args, code)
		}
	}
}
