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
	step, err := stepper(arch, true)
	if err != nil {
		return nil, err
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

// CallsTo returns the addresses of the direct calls in code, which starts
// at address pc, to any of targets. Unlike Decode it reads past bytes that
// do not decode (padding, data, instructions x86asm does not know): on
// amd64 it resumes at the next byte, as a disassembler resynchronises; a
// call that such bytes hide may be missed, none is invented. It formats no
// instruction text, so it is cheap enough to scan whole modules.
func CallsTo(arch string, code []byte, pc uint64, targets map[uint64]bool) ([]uint64, error) {
	step, err := stepper(arch, false)
	if err != nil {
		return nil, err
	}
	var out []uint64
	for off := 0; off < len(code); {
		in, err := step(code[off:], pc+uint64(off))
		if err != nil {
			off++
			continue
		}
		if in.Kind == Call && in.Target != 0 && targets[in.Target] {
			out = append(out, in.PC)
		}
		off += in.Len
	}
	return out, nil
}

// Decodable reports whether Decode and CallsTo know arch, a GOARCH value.
func Decodable(arch string) bool {
	_, err := stepper(arch, false)
	return err == nil
}

// stepper returns the function decoding one instruction of arch, with its
// Go assembler text when text is set.
func stepper(arch string, text bool) (func([]byte, uint64) (Inst, error), error) {
	switch arch {
	case "amd64":
		return func(code []byte, pc uint64) (Inst, error) { return decodeAMD64(code, pc, text) }, nil
	case "arm64":
		return func(code []byte, pc uint64) (Inst, error) { return decodeARM64(code, pc, text) }, nil
	}
	return nil, fmt.Errorf("decode %s: %w", arch, ErrUnsupportedArch)
}

func decodeAMD64(code []byte, pc uint64, text bool) (Inst, error) {
	x, err := x86asm.Decode(code, 64)
	if err != nil {
		// x86asm does not know AVX-512; Go's asyncPreempt uses it to save
		// vector registers. Measure such an instruction's length instead.
		if n, ok := evexLen(code); ok {
			in := Inst{PC: pc, Len: n}
			if text {
				in.Text = fmt.Sprintf("EVEX % x", code[:n])
			}
			return in, nil
		}
		return Inst{}, err
	}
	in := Inst{PC: pc, Len: x.Len}
	if text {
		in.Text = x86asm.GoSyntax(x, pc, nil)
	}
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

func decodeARM64(code []byte, pc uint64, text bool) (Inst, error) {
	if len(code) < 4 {
		return Inst{}, fmt.Errorf("%d trailing bytes", len(code))
	}
	in := Inst{PC: pc, Len: 4}
	if text {
		in.Text = "?"
	}
	a, err := arm64asm.Decode(code[:4])
	if err != nil {
		return in, nil
	}
	if text {
		in.Text = arm64asm.GoSyntax(a, pc, nil, nil)
	}
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
