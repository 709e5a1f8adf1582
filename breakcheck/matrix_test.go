package breakcheck

import (
	"bytes"
	"debug/elf"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/internal/fixtures"
)

// Variants beyond the common ones in internal/fixtures.
var (
	extLink      = fixtures.Variant{Name: "extlink", Flags: []string{"-ldflags=-linkmode=external"}}
	partialNoOpt = fixtures.Variant{Name: "partial-noopt", Flags: []string{"-gcflags=-N -l"}}
	go124        = fixtures.Variant{Name: "go1.24", Env: []string{"GOTOOLCHAIN=go1.24.0"}}
	go124Strip   = fixtures.Variant{Name: "go1.24-stripped", Flags: []string{"-ldflags=-s -w"}, Env: []string{"GOTOOLCHAIN=go1.24.0"}}
	go127        = fixtures.Variant{Name: "go1.27", Env: []string{"GOTOOLCHAIN=go1.27.0"}}
	arm64Strip   = fixtures.Variant{Name: "arm64-stripped", Flags: []string{"-ldflags=-s -w"}, Env: []string{"GOARCH=arm64"}}
	arm64NoOpt   = fixtures.Variant{Name: "arm64-noopt", Flags: []string{"-gcflags=all=-N -l"}, Env: []string{"GOARCH=arm64"}}
)

// stripped runs strip(1) on a default build.
func stripTool(t testing.TB) string {
	return derive(t, "strip", func(t testing.TB, dir string) string {
		needTool(t, "strip")
		out := filepath.Join(dir, "worker")
		run(t, "strip", "-o", out, fixtures.Build(t, "worker", fixtures.Default))
		return out
	})
}

// extLinkStrip strips an externally linked build.
func extLinkStrip(t testing.TB) string {
	return derive(t, "extlink-strip", func(t testing.TB, dir string) string {
		needTool(t, "strip")
		out := filepath.Join(dir, "worker")
		run(t, "strip", "-o", out, fixtures.Build(t, "worker", extLink))
		return out
	})
}

// splitDebug moves the DWARF of a -N -l build into worker.debug and links
// it with .gnu_debuglink; keep decides what happens to the debug file.
func splitDebug(t testing.TB, name string, keep func(t testing.TB, debugFile string)) string {
	return derive(t, name, func(t testing.TB, dir string) string {
		needTool(t, "objcopy")
		full := fixtures.Build(t, "worker", fixtures.NoOpt)
		bin, dbg := filepath.Join(dir, "worker"), filepath.Join(dir, "worker.debug")
		run(t, "objcopy", "--only-keep-debug", full, dbg)
		run(t, "objcopy", "--strip-debug", "--add-gnu-debuglink="+dbg, full, bin)
		keep(t, dbg)
		return bin
	})
}

func sepDebugFound(t testing.TB) string {
	return splitDebug(t, "sepdebug-found", func(testing.TB, string) {})
}

func sepDebugMissing(t testing.TB) string {
	return splitDebug(t, "sepdebug-missing", func(t testing.TB, dbg string) {
		if err := os.Remove(dbg); err != nil {
			t.Fatal(err)
		}
	})
}

func sepDebugCRC(t testing.TB) string {
	return splitDebug(t, "sepdebug-crc", func(t testing.TB, dbg string) {
		// A debug file of another build under the expected name.
		run(t, "objcopy", "--only-keep-debug", fixtures.Build(t, "worker", fixtures.Default), dbg)
	})
}

// goRunBinary puts a -w build where go run leaves its binaries.
func goRunBinary(t testing.TB) string {
	return derive(t, "gorun", func(t testing.TB, dir string) string {
		exe := filepath.Join(dir, "go-build1234", "b001", "exe")
		if err := os.MkdirAll(exe, 0o755); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(exe, "worker")
		copyFile(t, fixtures.Build(t, "worker", fixtures.NoDWARF), out)
		return out
	})
}

// badCompression marks .debug_info as compressed with an unknown algorithm.
func badCompression(t testing.TB) string {
	return derive(t, "zdebug", func(t testing.TB, dir string) string {
		b, err := os.ReadFile(fixtures.Build(t, "worker", fixtures.NoOpt))
		if err != nil {
			t.Fatal(err)
		}
		f, err := elf.NewFile(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		s := f.Section(".debug_info")
		if s == nil || s.Flags&elf.SHF_COMPRESSED == 0 {
			t.Fatal("the linker did not compress .debug_info (Go links compressed DWARF by default): this fixture cannot be made")
		}
		f.ByteOrder.PutUint32(b[s.Offset:], 9) // Chdr.ch_type
		out := filepath.Join(dir, "worker")
		if err := os.WriteFile(out, b, 0o755); err != nil {
			t.Fatal(err)
		}
		return out
	})
}

// bazelPaths rewrites file names the way Bazel's sandbox records them.
func bazelPaths(t testing.TB) string {
	v := fixtures.Variant{Name: "bazel", Flags: []string{"-gcflags=all=-N -l -trimpath=" + fixtures.Dir("breakcases") + "=>external/breakcases"}}
	return fixtures.Build(t, "breakcases", v)
}

// cProgram is an ELF executable that is not a Go program.
func cProgram(t testing.TB) string {
	return derive(t, "c-program", func(t testing.TB, dir string) string {
		needTool(t, "gcc")
		src, out := filepath.Join(dir, "hello.c"), filepath.Join(dir, "hello")
		if err := os.WriteFile(src, []byte("int main(void) { return 0; }\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		run(t, "gcc", "-g", "-o", out, src)
		return out
	})
}

// relativePaths strips the directory from file names without -trimpath,
// as hand-rolled build scripts do.
func relativePaths(t testing.TB) string {
	v := fixtures.Variant{Name: "relative", Flags: []string{"-gcflags=all=-N -l -trimpath=" + fixtures.Dir("breakcases")}}
	return fixtures.Build(t, "breakcases", v)
}

func TestDoctorFindings(t *testing.T) {
	fixed := func(name string, v fixtures.Variant) func(testing.TB) string {
		return func(t testing.TB) string {
			fixtures.NeedToolchain(t, v)
			return fixtures.Build(t, name, v)
		}
	}
	tests := []struct {
		name    string
		bin     func(testing.TB) string
		wantIDs []string // sorted, distinct; nil means clean
	}{
		{"worker/noopt", fixed("worker", fixtures.NoOpt), nil},
		{"worker/default", fixed("worker", fixtures.Default), []string{"BP-OPT"}},
		{"worker/partial-noopt", fixed("worker", partialNoOpt), []string{"BP-OPT-PARTIAL"}},
		{"worker/stripped", fixed("worker", fixtures.Stripped), []string{"BP-NODWARF"}},
		{"worker/nodwarf", fixed("worker", fixtures.NoDWARF), []string{"BP-NODWARF"}},
		{"worker/strip", stripTool, []string{"BP-NODWARF"}},
		{"worker/trimpath", fixed("worker", fixtures.Trimpath), []string{"BP-OPT", "BP-TRIMPATH"}},
		{"worker/pie", fixed("worker", fixtures.PIE), []string{"BP-OPT", "BP-PIE"}},
		{"worker/extlink", fixed("worker", extLink), []string{"BP-CGO", "BP-OPT"}},
		{"worker/extlink-strip", extLinkStrip, []string{"BP-CGO", "BP-NODWARF-BLIND"}},
		{"worker/sepdebug-found", sepDebugFound, []string{"BP-SEPDEBUG-FOUND"}},
		{"worker/sepdebug-missing", sepDebugMissing, []string{"BP-SEPDEBUG-MISSING"}},
		{"worker/sepdebug-crc", sepDebugCRC, []string{"BP-SEPDEBUG-CRC"}},
		{"worker/go1.24", fixed("worker", go124), []string{"BP-OPT", "ENV-VERSION-OLD"}},
		{"worker/go1.24-stripped", fixed("worker", go124Strip), []string{"BP-NODWARF", "ENV-VERSION-OLD"}},
		{"worker/go1.27", fixed("worker", go127), []string{"BP-OPT"}},
		{"cgomix/noopt", fixed("cgomix", fixtures.NoOpt), []string{"BP-CGO"}},
		{"cgomix/default", fixed("cgomix", fixtures.Default), []string{"BP-CGO", "BP-OPT"}},
		{"worker/gorun", goRunBinary, []string{"BP-NODWARF-GORUN"}},
		{"worker/bad-compression", badCompression, []string{"BP-ZDEBUG"}},
		{"breakcases/bazel", bazelPaths, []string{"BP-BUILDSYS"}},
		{"breakcases/relative", relativePaths, []string{"BP-BUILDSYS"}},
		{"linedirective/noopt", fixed("linedirective", fixtures.NoOpt), []string{"BP-BUILDSYS-LINEDIR"}},
		{"c-program", cProgram, []string{"AT-NOTGO-BINARY"}},
		{"hardstop/noopt", fixed("hardstop", fixtures.NoOpt), []string{"BP-HARDSTOP"}},
		{"hardstop/default", fixed("hardstop", fixtures.Default), []string{"BP-HARDSTOP", "BP-OPT"}},
		{"hardstop/arm64-noopt", fixed("hardstop", arm64NoOpt), []string{"BP-HARDSTOP", "ENV-ARCH"}},
		{"worker/arm64-stripped", fixed("worker", arm64Strip), []string{"AP-CORRECT", "BP-NODWARF", "ENV-ARCH"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bin := tc.bin(t)
			rep := doctor(t, NewInput(bin))
			if len(rep.Errors) > 0 {
				t.Fatalf("doctor %s: checks failed: %v", bin, rep.Errors)
			}
			if got := findingIDs(rep.Findings); !slices.Equal(got, tc.wantIDs) {
				t.Errorf("doctor %s: got %v, want %v", bin, got, tc.wantIDs)
			}
			for _, f := range rep.Findings {
				if len(f.Evidence) == 0 {
					t.Errorf("%s has no evidence", f.ID)
				}
			}
		})
	}
}

// doctor runs every binary check on in and closes it.
func doctor(t testing.TB, in *dwarfcheck.Input) *finding.Report {
	t.Helper()
	return doctorWith(t, in, Options{})
}

// doctorWith runs the doctor with opt on in and closes it. It fails the
// test on a recovered panic: bad input must get a clear error.
func doctorWith(t testing.TB, in *dwarfcheck.Input, opt Options) *finding.Report {
	t.Helper()
	defer in.Close()
	// The dlv on this machine's PATH must not change the matrix; ENV-DWARF5
	// has its own test with a dlv built for it.
	in.ForeignDlv = nil
	rep, err := Doctor(in, dwarfcheck.BinaryChecks, opt)
	if err != nil {
		t.Fatal(err)
	}
	failOnPanic(t, rep)
	return rep
}

// failOnPanic fails the test for every check of rep that panicked, with
// the panic's stack.
func failOnPanic(t testing.TB, rep *finding.Report) {
	t.Helper()
	for _, p := range finding.Panics(rep.Errors) {
		t.Errorf("%v\n%s", p, p.Stack)
	}
}

// findingIDs returns the sorted distinct IDs of fs.
func findingIDs(fs []finding.Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}
