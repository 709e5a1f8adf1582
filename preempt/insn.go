package preempt

import (
	"errors"
	"fmt"

	"golang.org/x/arch/arm64/arm64asm"
	"golang.org/x/arch/x86/x86asm"
)

// ErrUnsupportedArch is returned for architectures this package cannot decode.
var ErrUnsupportedArch = errors.New("unsupported architecture")

// Kind classifies an instruction by its effect on control flow.
type Kind int

const (
	Other  Kind = iota
	Call        // direct or indirect call
	Jump        // direct or indirect jump, conditional or not
	Return      // return from the function
)

// An Inst is one decoded machine instruction.
type Inst struct {
	PC     uint64 // address of the first byte
	Len    int    // length in bytes
	Kind   Kind
	Target uint64 // destination of a direct call or jump, or 0
	Text   string // Go assembler syntax
}

// A DecodeError reports bytes that do not decode as an instruction.
type DecodeError struct {
	PC  uint64
	Err error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("cannot decode instruction at %#x: %v", e.PC, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Decode decodes code, which starts at address pc, from its first byte to
// its last. arch is a GOARCH value: "amd64" or "arm64". On arm64 a word that
// is not an instruction (padding) decodes as a 4-byte Inst with Text "?".
func Decode(arch string, code []byte, pc uint64) ([]Inst, error) {
	var step func([]byte, uint64) (Inst, error)
	switch arch {
	case "amd64":
		step = decodeAMD64
	case "arm64":
		step = decodeARM64
	default:
		return nil, fmt.Errorf("decode %s: %w", arch, ErrUnsupportedArch)
	}
	var out []Inst
	for off := 0; off < len(code); {
		in, err := step(code[off:], pc+uint64(off))
		if err != nil {
			return out, &DecodeError{PC: pc + uint64(off), Err: err}
		}
		out = append(out, in)
		off += in.Len
	}
	return out, nil
}

func decodeAMD64(code []byte, pc uint64) (Inst, error) {
	x, err := x86asm.Decode(code, 64)
	if err != nil {
		// x86asm does not know AVX-512; Go's asyncPreempt uses it to save
		// vector registers. Measure such an instruction's length instead.
		if n, ok := evexLen(code); ok {
			return Inst{PC: pc, Len: n, Text: fmt.Sprintf("EVEX % x", code[:n])}, nil
		}
		return Inst{}, err
	}
	in := Inst{PC: pc, Len: x.Len, Text: x86asm.GoSyntax(x, pc, nil)}
	switch x.Op {
	case x86asm.CALL, x86asm.LCALL:
		in.Kind = Call
	case x86asm.RET, x86asm.LRET:
		in.Kind = Return
	case x86asm.JMP, x86asm.LJMP, x86asm.JA, x86asm.JAE, x86asm.JB, x86asm.JBE,
		x86asm.JCXZ, x86asm.JE, x86asm.JECXZ, x86asm.JG, x86asm.JGE, x86asm.JL,
		x86asm.JLE, x86asm.JNE, x86asm.JNO, x86asm.JNP, x86asm.JNS, x86asm.JO,
		x86asm.JP, x86asm.JRCXZ, x86asm.JS:
		in.Kind = Jump
	}
	if rel, ok := x.Args[0].(x86asm.Rel); ok && in.Kind != Other {
		in.Target = uint64(int64(pc) + int64(x.Len) + int64(rel))
	}
	return in, nil
}

// evexLen returns the length of the EVEX-encoded (AVX-512) instruction at
// the start of code. In 64-bit mode 0x62 always starts an EVEX prefix.
func evexLen(code []byte) (int, bool) {
	if len(code) < 6 || code[0] != 0x62 {
		return 0, false
	}
	opmap, op, modrm := code[1]&3, code[4], code[5]
	n := 6 // 62, three payload bytes, opcode, ModRM
	mod, rm := modrm>>6, modrm&7
	if mod != 3 && rm == 4 {
		if len(code) < 7 {
			return 0, false
		}
		if mod == 0 && code[6]&7 == 5 {
			n += 4 // SIB with no base: disp32
		}
		n++
	}
	switch {
	case mod == 1:
		n++ // disp8, scaled by the operand size
	case mod == 2, mod == 0 && rm == 5:
		n += 4
	}
	if opmap == 3 || opmap == 1 && (op >= 0x70 && op <= 0x73 || op == 0xc2 || op >= 0xc4 && op <= 0xc6) {
		n++ // imm8
	}
	return n, opmap != 0 && n <= len(code)
}

func decodeARM64(code []byte, pc uint64) (Inst, error) {
	if len(code) < 4 {
		return Inst{}, fmt.Errorf("%d trailing bytes", len(code))
	}
	in := Inst{PC: pc, Len: 4, Text: "?"}
	a, err := arm64asm.Decode(code[:4])
	if err != nil {
		return in, nil
	}
	in.Text = arm64asm.GoSyntax(a, pc, nil, nil)
	switch a.Op {
	case arm64asm.BL, arm64asm.BLR:
		in.Kind = Call
	case arm64asm.RET:
		in.Kind = Return
	case arm64asm.B, arm64asm.BR, arm64asm.CBZ, arm64asm.CBNZ, arm64asm.TBZ, arm64asm.TBNZ:
		in.Kind = Jump
	}
	for _, arg := range a.Args {
		if rel, ok := arg.(arm64asm.PCRel); ok && in.Kind != Other {
			in.Target = uint64(int64(pc) + int64(rel))
		}
	}
	return in, nil
}
