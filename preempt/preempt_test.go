package preempt_test

import (
	"bufio"
	"bytes"
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/dlvx/dlvx/preempt"
)

func TestMain(m *testing.M) {
	code := m.Run()
	fixtures.Cleanup()
	os.Exit(code)
}

// targets are the builds whose hooks are checked: every supported Go
// release, amd64 and arm64, PIE and not, optimized and not.
var targets = []fixtures.Variant{
	{Name: "go1.25-amd64", Env: []string{"GOTOOLCHAIN=go1.25.0", "GOARCH=amd64"}},
	{Name: "go1.26-amd64-pie", Flags: []string{"-buildmode=pie"}, Env: []string{"GOARCH=amd64"}},
	{Name: "go1.26-amd64-noopt", Flags: []string{"-gcflags=all=-N -l"}, Env: []string{"GOARCH=amd64"}},
	{Name: "go1.27-amd64-pie", Flags: []string{"-buildmode=pie"}, Env: []string{"GOTOOLCHAIN=go1.27.0", "GOARCH=amd64"}},
	{Name: "go1.26-arm64", Env: []string{"GOARCH=arm64"}},
	{Name: "go1.25-arm64-pie", Flags: []string{"-buildmode=pie"}, Env: []string{"GOTOOLCHAIN=go1.25.0", "GOARCH=arm64"}},
	{Name: "go1.27-arm64-noopt", Flags: []string{"-gcflags=all=-N -l"}, Env: []string{"GOTOOLCHAIN=go1.27.0", "GOARCH=arm64"}},
}

// TestFindMatchesObjdump checks every hook against an independent decode:
// the listing of `go tool objdump`, which reads the Go symbol table and
// disassembles on its own.
func TestFindMatchesObjdump(t *testing.T) {
	for _, v := range targets {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			bin := buildSpin(t, v)
			f, err := elf.Open(bin)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			tab, err := preempt.Find(f)
			if err != nil {
				t.Fatal(err)
			}
			if want := "GOARCH=" + tab.Arch; !slices.Contains(v.Env, want) {
				t.Errorf("%s: Arch %q from the ELF header, want %s", v.Name, tab.Arch, want)
			}
			want := objdumpHooks(t, bin)
			for _, h := range preempt.Hooks() {
				got := siteAddrs(tab.Sites[h])
				if !slices.Equal(got, want[h]) || len(got) == 0 {
					t.Errorf("%s: hook %s at %#x, objdump says %#x", v.Name, h, got, want[h])
				}
			}
		})
	}
}

// buildSpin builds the spin fixture with v. A Go toolchain that cannot be
// downloaded goes through fixtures.NeedToolchain: a skip offline, a
// failure under CI.
func buildSpin(t *testing.T, v fixtures.Variant) string {
	t.Helper()
	fixtures.NeedToolchain(t, v)
	return fixtures.Build(t, "spin", v)
}

func siteAddrs(sites []preempt.Site) []uint64 {
	var out []uint64
	for _, s := range sites {
		out = append(out, s.Addr())
	}
	slices.Sort(out)
	return out
}

// objdumpLine matches one instruction of `go tool objdump`:
// "  file.s:12\t0x4812c0\t\t55\t\tPUSHQ BP".
var objdumpLine = regexp.MustCompile(`^\s+\S+\s+0x([0-9a-f]+)\s+[0-9a-f]+\s+(.*?)\s*$`)

// objdumpHooks derives the hooks from the objdump listing of the runtime's
// preemption functions.
func objdumpHooks(t *testing.T, bin string) map[preempt.Hook][]uint64 {
	t.Helper()
	out, err := exec.Command("go", "tool", "objdump", "-s", `^runtime\.asyncPreempt2?(\.abi0)?$`, bin).Output()
	if err != nil {
		t.Fatalf("go tool objdump %s: %v", bin, err)
	}
	hooks := map[preempt.Hook][]uint64{}
	var fn string
	var prev preempt.Hook // hook whose next instruction is a site
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if name, ok := bytes.CutPrefix([]byte(line), []byte("TEXT ")); ok {
			fn = string(bytes.Fields(name)[0])
			if fn == "runtime.asyncPreempt.abi0(SB)" {
				prev = preempt.Entry
			}
			continue
		}
		m := objdumpLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		addr, _ := strconv.ParseUint(m[1], 16, 64)
		if prev != 0 {
			hooks[prev] = append(hooks[prev], addr)
			prev = 0
		}
		switch {
		case fn == "runtime.asyncPreempt.abi0(SB)" && regexp.MustCompile(`^CALL runtime\.asyncPreempt2(\.abi0)?\(SB\)`).MatchString(m[2]):
			hooks[preempt.CallHook] = append(hooks[preempt.CallHook], addr)
			prev = preempt.ReturnHook
		case fn == "runtime.asyncPreempt2(SB)" && m[2] == "CALL runtime.mcall(SB)":
			hooks[preempt.Park] = append(hooks[preempt.Park], addr)
			prev = preempt.Resume
		}
	}
	for h := range hooks {
		slices.Sort(hooks[h])
	}
	return hooks
}

// TestDecodeStaysInSync decodes the whole of runtime.asyncPreempt, which
// holds AVX-512 code x86asm does not know on amd64 since Go 1.26, and checks
// that every direct jump inside it lands on an instruction boundary.
func TestDecodeStaysInSync(t *testing.T) {
	for _, v := range targets {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			f, err := elf.Open(buildSpin(t, v))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			tab, err := preempt.Find(f)
			if err != nil {
				t.Fatal(err)
			}
			checkJumps(t, f, tab, tab.Sites[preempt.Entry][0])
			checkJumps(t, f, tab, tab.Sites[preempt.Park][0])
		})
	}
}

func checkJumps(t *testing.T, f *elf.File, tab *preempt.Table, s preempt.Site) {
	t.Helper()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(syms, func(sym elf.Symbol) bool { return sym.Name == s.Func })
	code, err := preempt.Code(f, syms[i].Value, syms[i].Size)
	if err != nil {
		t.Fatal(err)
	}
	insts, err := preempt.Decode(tab.Arch, code, syms[i].Value)
	if err != nil {
		t.Fatal(err)
	}
	starts := map[uint64]bool{}
	for _, in := range insts {
		starts[in.PC] = true
	}
	jumps := 0
	for _, in := range insts {
		inside := in.Target >= syms[i].Value && in.Target < syms[i].Value+syms[i].Size
		if in.Kind == preempt.Jump && inside {
			jumps++
			if !starts[in.Target] {
				t.Errorf("%s: %s at %#x jumps into the middle of an instruction", s.Func, in.Text, in.PC)
			}
		}
	}
	t.Logf("%s: %d instructions, %d jumps inside", s.Func, len(insts), jumps)
}

func TestEVEXLength(t *testing.T) {
	tests := []struct {
		code []byte
		want int
	}{
		{[]byte{0x62, 0xf1, 0xfe, 0x48, 0x7f, 0x00}, 6},                                // VMOVDQU64 Z0, (AX)
		{[]byte{0x62, 0xf1, 0xfe, 0x48, 0x7f, 0x48, 0x01}, 7},                          // VMOVDQU64 Z1, 64(AX)
		{[]byte{0x62, 0xf1, 0xfe, 0x48, 0x7f, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00}, 11}, // disp32 via SIB
		{[]byte{0x62, 0xf3, 0x7d, 0x48, 0x39, 0xc1, 0x01}, 7},                          // map 0F3A: imm8
	}
	for _, tc := range tests {
		code := append(slices.Clone(tc.code), 0xc3) // RET after it
		insts, err := preempt.Decode("amd64", code, 0x1000)
		if err != nil {
			t.Fatalf("% x: %v", tc.code, err)
		}
		if len(insts) != 2 || insts[0].Len != tc.want || insts[1].Kind != preempt.Return {
			t.Errorf("% x: decoded %+v, want one %d-byte instruction then RET", tc.code, insts, tc.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	if _, err := preempt.Decode("mips", []byte{0}, 0); !errors.Is(err, preempt.ErrUnsupportedArch) {
		t.Errorf("mips: got %v, want ErrUnsupportedArch", err)
	}
	var de *preempt.DecodeError
	if _, err := preempt.Decode("amd64", []byte{0x62, 0xf1}, 0x10); !errors.As(err, &de) || de.PC != 0x10 {
		t.Errorf("truncated amd64: got %v, want a DecodeError at 0x10", err)
	}
	if _, err := preempt.ParseHook("exit"); !errors.Is(err, preempt.ErrUnknownHook) {
		t.Errorf("ParseHook(exit): got %v, want ErrUnknownHook", err)
	}
}

// A binary stripped with -s has no ELF symbol table; the hooks come from
// the runtime's function table and are where they are unstripped.
func TestFindStripped(t *testing.T) {
	find := func(v fixtures.Variant) *preempt.Table {
		f, err := elf.Open(fixtures.Build(t, "spin", v))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		tab, err := preempt.Find(f)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		return tab
	}
	full, stripped := find(fixtures.Default), find(fixtures.Stripped)
	for _, h := range preempt.Hooks() {
		if got, want := siteAddrs(stripped.Sites[h]), siteAddrs(full.Sites[h]); !slices.Equal(got, want) {
			t.Errorf("stripped: hook %s at %#x, unstripped at %#x", h, got, want)
		}
	}
}

func TestFindErrors(t *testing.T) {
	sh, err := elf.Open(fixtures.NeedTool(t, "sh"))
	if err != nil {
		t.Fatalf("sh is not an ELF file to test with: %v", err)
	}
	defer sh.Close()
	if _, err := preempt.Find(sh); !errors.Is(err, preempt.ErrNotGo) && !errors.Is(err, preempt.ErrNoSymbols) {
		t.Errorf("sh: got %v, want ErrNotGo or ErrNoSymbols", err)
	}
}
