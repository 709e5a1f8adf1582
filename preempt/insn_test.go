package preempt_test

import (
	"bufio"
	"bytes"
	"debug/elf"
	"errors"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/dlvx/dlvx/preempt"
)

// TestCallsToResynchronises: bytes that do not decode hide no call after
// them, and only calls to the targets count.
func TestCallsToResynchronises(t *testing.T) {
	const pc, target = 0x1000, 0x2000
	// 06 and d6 are invalid in 64-bit mode; E8 rel32 is CALL; C3 is RET.
	call := func(at uint64, to uint64) []byte {
		rel := uint32(int32(int64(to) - int64(at+5)))
		return []byte{0xe8, byte(rel), byte(rel >> 8), byte(rel >> 16), byte(rel >> 24)}
	}
	code := []byte{0x06, 0xd6}
	code = append(code, call(pc+2, target)...)
	code = append(code, call(pc+7, target+0x40)...) // another function
	code = append(code, 0xc3)
	got, err := preempt.CallsTo("amd64", code, pc, map[uint64]bool{target: true})
	if err != nil || !slices.Equal(got, []uint64{pc + 2}) {
		t.Errorf("amd64: got %#x, %v; want the call at %#x", got, err, pc+2)
	}
	if _, err := preempt.Decode("amd64", code, pc); err == nil {
		t.Errorf("Decode accepted the invalid bytes the test relies on")
	}

	// arm64: BL imm26 (words, sign-extended), here one forward, one back.
	bl := func(at, to uint64) []byte {
		w := uint32(0x94000000) | uint32((int64(to)-int64(at))/4)&0x3ffffff
		return []byte{byte(w), byte(w >> 8), byte(w >> 16), byte(w >> 24)}
	}
	arm := append(bl(pc, target), bl(pc+4, pc-0x100)...)
	arm = append(arm, 0xc0, 0x03, 0x5f, 0xd6, 0x00) // RET, one trailing byte
	got, err = preempt.CallsTo("arm64", arm, pc, map[uint64]bool{target: true, pc - 0x100: true})
	if err != nil || !slices.Equal(got, []uint64{pc, pc + 4}) {
		t.Errorf("arm64: got %#x, %v; want the calls at %#x and %#x", got, err, pc, pc+4)
	}
	if _, err := preempt.CallsTo("mips", code, pc, nil); !errors.Is(err, preempt.ErrUnsupportedArch) {
		t.Errorf("mips: got %v, want ErrUnsupportedArch", err)
	}
}

// TestCallsToMatchesObjdump finds the hardstop fixture's calls to
// runtime.Breakpoint in main.main, on amd64 and arm64, where `go tool
// objdump` lists them.
func TestCallsToMatchesObjdump(t *testing.T) {
	variants := []fixtures.Variant{
		{Name: "amd64-noopt", Flags: []string{"-gcflags=all=-N -l"}, Env: []string{"GOARCH=amd64"}},
		{Name: "arm64-noopt", Flags: []string{"-gcflags=all=-N -l"}, Env: []string{"GOARCH=arm64"}},
	}
	for _, v := range variants {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			bin := fixtures.Build(t, "hardstop", v)
			f, err := elf.Open(bin)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			syms, err := f.Symbols()
			if err != nil {
				t.Fatal(err)
			}
			addr := func(name string) elf.Symbol {
				i := slices.IndexFunc(syms, func(s elf.Symbol) bool { return s.Name == name })
				if i < 0 {
					t.Fatalf("no symbol %s", name)
				}
				return syms[i]
			}
			main, bp := addr("main.main"), addr("runtime.Breakpoint")
			code, err := preempt.Code(f, main.Value, main.Size)
			if err != nil {
				t.Fatal(err)
			}
			got, err := preempt.CallsTo(preempt.GOARCH(&f.FileHeader), code, main.Value, map[uint64]bool{bp.Value: true})
			if err != nil {
				t.Fatal(err)
			}
			want := objdumpCalls(t, bin, "main.main", "runtime.Breakpoint")
			if len(got) == 0 || !slices.Equal(got, want) {
				t.Errorf("calls to runtime.Breakpoint at %#x, objdump says %#x", got, want)
			}
		})
	}
}

// objdumpCalls returns the addresses where `go tool objdump` shows fn
// calling callee.
func objdumpCalls(t *testing.T, bin, fn, callee string) []uint64 {
	t.Helper()
	out, err := exec.Command("go", "tool", "objdump", "-s", "^"+strings.ReplaceAll(fn, ".", `\.`)+"$", bin).Output()
	if err != nil {
		t.Fatalf("go tool objdump %s: %v", bin, err)
	}
	var pcs []uint64
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := objdumpLine.FindStringSubmatch(sc.Text())
		if m != nil && strings.HasPrefix(m[2], "CALL "+callee+"(SB)") {
			pc, _ := strconv.ParseUint(m[1], 16, 64)
			pcs = append(pcs, pc)
		}
	}
	return pcs
}
