package dwarfcheck

import (
	"debug/buildinfo"
	"debug/elf"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/internal/fixtures"
)

// TestFunctionTableIntact: the tables the linker writes pass, PIE and
// stripped ones included.
func TestFunctionTableIntact(t *testing.T) {
	for _, v := range []fixtures.Variant{fixtures.NoOpt, fixtures.PIE, {Name: "stripped", Flags: []string{"-ldflags=-s -w"}}} {
		t.Run(v.Name, func(t *testing.T) {
			fs, err := functionTable(NewInput(fixtures.Build(t, "worker", v)))
			if err != nil || len(fs) != 0 {
				t.Errorf("intact table: findings %v, error %v", findingIDs(fs), err)
			}
		})
	}
}

// TestFunctionTableDamage damages a real table in the ways the runtime
// refuses, and in its names, and reads each back.
func TestFunctionTableDamage(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	good, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	off, size, h := pclntabOf(t, bin)
	le := binary.LittleEndian
	tests := []struct {
		name, want string
		damage     func(b []byte)
	}{
		{"magic", "header magic 0x00000000", func(b []byte) { le.PutUint32(b[off:], 0) }},
		{"pointer size", "pointer size 3", func(b []byte) { b[off+7] = 3 }},
		{"entries unsorted", "before function 1's", func(b []byte) {
			ftab := off + h.pclnOff
			le.PutUint32(b[ftab+16:], le.Uint32(b[ftab+8:])-1) // function 2 before function 1
		}},
		{"entries past end", "run past the table", func(b []byte) { le.PutUint64(b[off+8:], size/8-1) }},
		{"names", "are not UTF-8", func(b []byte) {
			for i := uint64(0); i < 64; i++ {
				b[off+h.funcnameOff+256+i] = 0xff
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := slices.Clone(good)
			tc.damage(b)
			path := filepath.Join(t.TempDir(), "bin")
			if err := os.WriteFile(path, b, 0o755); err != nil {
				t.Fatal(err)
			}
			fs, err := functionTable(NewInput(path))
			if err != nil || len(fs) != 1 || fs[0].ID != "BP-PCLNTAB-DAMAGED" {
				t.Fatalf("findings %v, error %v; want BP-PCLNTAB-DAMAGED", findingIDs(fs), err)
			}
			if ev := fs[0].Evidence[0].Fact; !strings.Contains(ev, tc.want) {
				t.Errorf("evidence %q, want it to say %q", ev, tc.want)
			}
		})
	}
	t.Run("newer go", func(t *testing.T) {
		b := slices.Clone(good)
		le.PutUint32(b[off:], 0xfffffff2) // a layout a later Go may bring
		path := filepath.Join(t.TempDir(), "bin")
		if err := os.WriteFile(path, b, 0o755); err != nil {
			t.Fatal(err)
		}
		for v, want := range map[string]int{"go1.28.0": 0, "go1.26.1": 1} {
			fs, err := functionTable(withBuildInfo(path, &buildinfo.BuildInfo{GoVersion: v}))
			if err != nil || len(fs) != want {
				t.Errorf("%s with an unknown magic: findings %v, error %v; want %d", v, findingIDs(fs), err, want)
			}
		}
	})
}

// pclntabOf returns the file offset and size of bin's .gopclntab, and its
// header.
func pclntabOf(t *testing.T, bin string) (uint64, uint64, pcHeader) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := f.Section(".gopclntab")
	data, err := s.Data()
	if err != nil {
		t.Fatal(err)
	}
	h, err := readPcHeader(data, f.ByteOrder)
	if err != nil {
		t.Fatal(err)
	}
	return s.Offset, s.Size, h
}

// TestExecutableType: a real object file, and a binary whose e_type says
// core, get BP-NOTEXEC with the fix for each, and no other check runs.
func TestExecutableType(t *testing.T) {
	gcc := fixtures.NeedTool(t, "gcc")
	dir := t.TempDir()
	obj := filepath.Join(dir, "x.o")
	if err := os.WriteFile(filepath.Join(dir, "x.c"), []byte("int x(void) { return 1; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gcc, "-g", "-c", "-o", obj, filepath.Join(dir, "x.c")).CombinedOutput(); err != nil {
		t.Fatalf("gcc -c: %v\n%s", err, out)
	}
	good, err := os.ReadFile(fixtures.Build(t, "worker", fixtures.NoOpt))
	if err != nil {
		t.Fatal(err)
	}
	core := filepath.Join(dir, "core")
	binary.LittleEndian.PutUint16(good[0x10:], uint16(elf.ET_CORE))
	if err := os.WriteFile(core, good, 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{obj: "ET_REL", core: "dlvx doctor --core"} {
		res, err := finding.Run(NewInput(path), BinaryChecks, finding.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := findingIDs(res.Findings); !slices.Equal(got, []string{"BP-NOTEXEC"}) || len(res.Errors) != 0 {
			t.Fatalf("%s: findings %v, errors %v; want BP-NOTEXEC alone", filepath.Base(path), got, res.Errors)
		}
		fd := res.Findings[0]
		if text := fd.Evidence[0].Fact + " " + fd.Fixes[0].CommandLine(); !strings.Contains(text, want) {
			t.Errorf("%s: %q, want it to say %q", filepath.Base(path), text, want)
		}
	}
}

// FuzzVerifyPclntab: any bytes as a function table give a verdict or an
// error, never a panic; seeded with a real table's first kilobytes.
func FuzzVerifyPclntab(f *testing.F) {
	ef, err := elf.Open(fixtures.Build(f, "worker", fixtures.NoOpt))
	if err != nil {
		f.Fatal(err)
	}
	data, err := ef.Section(".gopclntab").Data()
	ef.Close()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data[:4096])
	f.Add(data[:96])
	f.Fuzz(func(t *testing.T, b []byte) {
		verifyPclntab(b, binary.LittleEndian)
	})
}
