package resolver

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dlvx/dlvx/preempt"
)

// An OffsetError reports an offset that is not the start of an instruction
// of a function: past its end, or inside an instruction.
type OffsetError struct {
	Func   string
	Offset uint64
	Size   uint64        // the function's size in bytes
	Inside *preempt.Inst // the instruction covering Offset; nil when past the end
	Prev   uint64        // offset of the instruction at or before Offset
	Next   uint64        // offset of the next instruction; Size when none
}

func (e *OffsetError) Error() string {
	if e.Inside == nil {
		return fmt.Sprintf("%s+%#x is past the end of %s (%#x bytes, last instruction at +%#x)",
			e.Func, e.Offset, e.Func, e.Size, e.Prev)
	}
	next := fmt.Sprintf("%s+%#x", e.Func, e.Next)
	if e.Next >= e.Size {
		next = "none after it"
	}
	return fmt.Sprintf("%s+%#x is inside the %d-byte instruction %q at +%#x; valid neighbours: %s+%#x, %s",
		e.Func, e.Offset, e.Inside.Len, e.Inside.Text, e.Prev, e.Func, e.Prev, next)
}

// CheckOffset decodes code, the whole of function fn loaded at entry, and
// reports whether off is the start of one of its instructions.
func CheckOffset(arch, fn string, code []byte, entry, off uint64) error {
	size := uint64(len(code))
	insts, err := preempt.Decode(arch, code, entry)
	if off >= size {
		last := uint64(0)
		if len(insts) > 0 {
			last = insts[len(insts)-1].PC - entry
		}
		return &OffsetError{Func: fn, Offset: off, Size: size, Prev: last, Next: size}
	}
	i := sort.Search(len(insts), func(i int) bool { return insts[i].PC-entry > off })
	if i == 0 || i == len(insts) && err != nil {
		return fmt.Errorf("check %s+%#x: %w", fn, off, err)
	}
	in := insts[i-1]
	if in.PC-entry == off {
		return nil
	}
	next := size
	if i < len(insts) {
		next = insts[i].PC - entry
	}
	if off >= in.PC-entry+uint64(in.Len) { // decoding stopped before off
		return fmt.Errorf("check %s+%#x: %w", fn, off, err)
	}
	return &OffsetError{Func: fn, Offset: off, Size: size, Inside: &in, Prev: in.PC - entry, Next: next}
}

// An UnknownSymbolError reports a function name the binary does not have.
type UnknownSymbolError struct {
	Name    string
	Closest []string // the most similar names, best first (finding.Closest)
}

func (e *UnknownSymbolError) Error() string {
	if len(e.Closest) == 0 {
		return fmt.Sprintf("no function %q", e.Name)
	}
	return fmt.Sprintf("no function %q; closest: %s", e.Name, strings.Join(e.Closest, ", "))
}

// An AmbiguousError reports a name shared by functions at several entries.
type AmbiguousError struct {
	Name    string
	Entries []uint64
}

func (e *AmbiguousError) Error() string {
	addrs := make([]string, len(e.Entries))
	for i, a := range e.Entries {
		addrs[i] = fmt.Sprintf("%#x", a)
	}
	return fmt.Sprintf("function name %q is ambiguous: entries at %s", e.Name, strings.Join(addrs, ", "))
}
