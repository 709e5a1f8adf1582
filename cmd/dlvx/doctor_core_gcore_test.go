package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// TestDoctorCoreGcore: cores written by gdb's gcore (NT_FILE offsets in
// bytes, a GDB note, SIGSTOP as the signal) of every build flavour load
// in dlvx core with their goroutines, and the doctor finds no error in
// them. gdb writes the notes after the memory, so half of such a core
// has no threads: the doctor says truncated and no threads, and dlvx core
// fails. The fixture excludes the runtime's unused reservations from
// the dump (-dontdump): gdb 13 would write them as over 1 GiB of zeros.
func TestDoctorCoreGcore(t *testing.T) {
	variants := []fixtures.Variant{
		fixtures.Default,
		fixtures.PIE,
		{Name: "cgo", Flags: []string{"-tags=withcgo"}, Env: []string{"CGO_ENABLED=1"}},
	}
	for _, v := range variants {
		t.Run(v.Name, func(t *testing.T) {
			exe := fixtures.Build(t, "crash", v)
			core := fixtures.GcoreCore(t, exe, "-dontdump")
			errs, all, code := coreIDs(t, core, exe)
			out, loads := delveCore(t, exe, core)
			t.Logf("doctor: exit %d, %v; dlvx core: %s", code, all, lastLine(out))
			if code != 0 || len(errs) > 0 || !slices.Contains(all, "ENV-CORE-MATCH") || !slices.Contains(all, "ENV-CORE-GOROUTINES") {
				t.Errorf("doctor: exit %d, errors %v, findings %v; want 0, none, ENV-CORE-MATCH and ENV-CORE-GOROUTINES", code, errs, all)
			}
			if !loads {
				t.Errorf("dlvx core did not list the goroutines:\n%s", out)
			}
			if v.Name != fixtures.Default.Name {
				return
			}
			data, err := os.ReadFile(core)
			if err != nil {
				t.Fatal(err)
			}
			half := filepath.Join(t.TempDir(), "core.half")
			if err := os.WriteFile(half, data[:len(data)/2], 0o600); err != nil {
				t.Fatal(err)
			}
			errs, _, code = coreIDs(t, half, exe)
			out, loads = delveCore(t, exe, half)
			t.Logf("half: doctor: exit %d, %v; dlvx core: %s", code, errs, lastLine(out))
			if code != 1 || !slices.Contains(errs, "ENV-CORE-TRUNCATED") || !slices.Contains(errs, "ENV-CORE-NOTHREADS") {
				t.Errorf("half a gcore core: doctor exit %d, errors %v; want 1, ENV-CORE-TRUNCATED and ENV-CORE-NOTHREADS", code, errs)
			}
			if loads {
				t.Errorf("dlvx core loaded half a gcore core, the doctor says %v:\n%s", errs, out)
			}
		})
	}
}
