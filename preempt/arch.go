package preempt

import "debug/elf"

// GOARCH returns the GOARCH value of the machine an ELF file is built for,
// or "" for a machine Go does not target. e_machine alone is not enough:
// EM_PPC64 is ppc64 or ppc64le by byte order, EM_MIPS is one of four
// GOARCH values by class and byte order. This is dlvx's one table from ELF
// machines to GOARCH values; the doctor, Delve's loader (breakcheck) and
// Find all read it.
func GOARCH(h *elf.FileHeader) string {
	le := h.Data == elf.ELFDATA2LSB
	is64 := h.Class == elf.ELFCLASS64
	switch h.Machine {
	case elf.EM_X86_64:
		return "amd64"
	case elf.EM_386:
		return "386"
	case elf.EM_AARCH64:
		return "arm64"
	case elf.EM_ARM:
		return "arm"
	case elf.EM_LOONGARCH:
		return "loong64"
	case elf.EM_S390:
		return "s390x"
	case elf.EM_RISCV:
		if is64 {
			return "riscv64"
		}
	case elf.EM_PPC64:
		if le {
			return "ppc64le"
		}
		return "ppc64"
	case elf.EM_MIPS:
		switch {
		case is64 && le:
			return "mips64le"
		case is64:
			return "mips64"
		case le:
			return "mipsle"
		}
		return "mips"
	}
	return ""
}

// DelveTurnsOff reports whether Delve turns async preemption off in the
// linux/goarch processes it debugs (pkg/proc/native: arm64 and loong64
// because a preempted instruction sequence is restarted, so a breakpoint
// in it looks hit twice; ppc64le because of past trouble with gdb). There
// the hooks of this package fire only once preemption is turned back on.
func DelveTurnsOff(goarch string) bool {
	switch goarch {
	case "arm64", "ppc64le", "loong64":
		return true
	}
	return false
}
