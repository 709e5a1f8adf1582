package preempt_test

import (
	"debug/elf"
	"testing"

	"github.com/dlvx/dlvx/preempt"
)

// TestGOARCH covers the machines whose GOARCH depends on class and byte
// order as well as e_machine, and one machine Go does not target.
func TestGOARCH(t *testing.T) {
	const (
		b32, b64 = elf.ELFCLASS32, elf.ELFCLASS64
		le, be   = elf.ELFDATA2LSB, elf.ELFDATA2MSB
	)
	tests := []struct {
		m     elf.Machine
		class elf.Class
		data  elf.Data
		want  string
	}{
		{elf.EM_X86_64, b64, le, "amd64"},
		{elf.EM_386, b32, le, "386"},
		{elf.EM_AARCH64, b64, le, "arm64"},
		{elf.EM_ARM, b32, le, "arm"},
		{elf.EM_PPC64, b64, le, "ppc64le"},
		{elf.EM_PPC64, b64, be, "ppc64"},
		{elf.EM_MIPS, b64, le, "mips64le"},
		{elf.EM_MIPS, b64, be, "mips64"},
		{elf.EM_MIPS, b32, le, "mipsle"},
		{elf.EM_MIPS, b32, be, "mips"},
		{elf.EM_RISCV, b64, le, "riscv64"},
		{elf.EM_RISCV, b32, le, ""},
		{elf.EM_S390, b64, be, "s390x"},
		{elf.EM_LOONGARCH, b64, le, "loong64"},
		{elf.EM_SPARCV9, b64, be, ""},
	}
	for _, tc := range tests {
		h := &elf.FileHeader{Machine: tc.m, Class: tc.class, Data: tc.data}
		if got := preempt.GOARCH(h); got != tc.want {
			t.Errorf("GOARCH(%v, %v, %v) = %q, want %q", tc.m, tc.class, tc.data, got, tc.want)
		}
	}
}
