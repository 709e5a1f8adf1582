package corecheck

import (
	"bytes"
	"debug/elf"
	"errors"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
)

// checkGoroutines answers what Delve's first goroutine read will do: it
// needs DWARF to find runtime.allgs, then the slice and the goroutines it
// points to in the core's memory.
func checkGoroutines(in *Input) ([]finding.Finding, error) {
	b := in.binary()
	if _, err := b.BuildInfo(); err != nil {
		if _, ok := in.bin.symbol("runtime.allgs"); !ok {
			return []finding.Finding{finding.New("ENV-CORE-NOTGO", finding.Evidencef(in.exe, "%v; no runtime.allgs symbol", err))}, finding.ErrNotApplicable
		}
	}
	var out []finding.Finding
	// Section headers answer for the executable itself; only without them
	// is the separate debug file looked for (reading DWARF costs memory).
	noDWARF := false
	if !dwarfcheck.HasDebugInfo(in.bin.f) {
		_, err := b.DWARF()
		noDWARF = errors.Is(err, dwarfcheck.ErrNoDWARF)
	}
	if noDWARF {
		f := finding.New("ENV-CORE-NODWARF", finding.Evidencef(in.exe, "no .debug_info section, and no separate debug file in %s", finding.ListSome(b.DebugInfoDirs, 3)))
		f.Fixes = []finding.Fix{{Summary: "open the core with the unstripped build of the same sources (same build ID), or install its separate debug file"}}
		out = append(out, f)
	}
	return append(out, in.countGoroutines()...), nil
}

// countGoroutines reads runtime.allglen, and runtime.allgs' first entry
// and the goroutine it points to, from the core.
func (in *Input) countGoroutines() []finding.Finding {
	c, base := in.core, in.bin.base
	lenAddr, okLen := in.bin.symbol("runtime.allglen")
	sliceAddr, okSlice := in.bin.symbol("runtime.allgs")
	if !okLen || !okSlice {
		return []finding.Finding{finding.New("ENV-CORE-GOROUTINES", finding.Evidencef(in.exe, "no runtime.allglen symbol (stripped symbol table): the count is known only after Delve loads the core"))}
	}
	w := c.word()
	buf := make([]byte, 2*w)
	lost := func(what string, addr uint64, err error) []finding.Finding {
		fd := finding.New("ENV-CORE-GOROUTINES-LOST", finding.Evidencef(in.exe, "%s at %#x", what, addr), finding.Evidencef(in.CorePath, "%v", err))
		var me *MemoryError
		if errors.As(err, &me) && me.Cut {
			fd.Evidence = append(fd.Evidence, finding.Evidencef(in.CorePath, "the core is truncated before it (ENV-CORE-TRUNCATED)"))
		}
		return []finding.Finding{fd}
	}
	if err := c.ReadMemory(buf[:w], lenAddr+base); err != nil {
		return lost("runtime.allglen", lenAddr+base, err)
	}
	n := c.uword(buf)
	if err := c.ReadMemory(buf, sliceAddr+base); err != nil {
		return lost("runtime.allgs", sliceAddr+base, err)
	}
	ptr := c.uword(buf)
	if n > 0 {
		if err := c.ReadMemory(buf[:w], ptr); err != nil {
			return lost("runtime.allgs' array", ptr, err)
		}
		g := c.uword(buf)
		if err := c.ReadMemory(buf[:w], g); err != nil {
			return lost("the first goroutine (runtime.g)", g, err)
		}
	}
	return []finding.Finding{finding.New("ENV-CORE-GOROUTINES",
		finding.Evidencef(in.CorePath, "runtime.allglen = %d at %#x; runtime.allgs' array at %#x is in the core", n, lenAddr+base, ptr))}
}

// symbol returns the link-time address of an ELF symbol. It scans the
// raw symbol table instead of decoding every symbol (debug/elf's Symbols
// allocates a string per symbol: tens of MiB for a large program).
func (e *exeFile) symbol(name string) (uint64, bool) {
	if e.syms == nil {
		e.syms = scanSymbols(e.f, "runtime.allglen", "runtime.allgs")
	}
	v, ok := e.syms[name]
	return v, ok
}

// scanSymbols returns the values of the named symbols of f's .symtab.
func scanSymbols(f *elf.File, names ...string) map[string]uint64 {
	out := map[string]uint64{}
	symtab, strtab := f.Section(".symtab"), f.Section(".strtab")
	if symtab == nil || strtab == nil {
		return out
	}
	syms, err := symtab.Data()
	if err != nil {
		return out
	}
	strs, err := strtab.Data()
	if err != nil {
		return out
	}
	size, valueAt := 24, 8
	if f.Class == elf.ELFCLASS32 {
		size, valueAt = 16, 4
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	for i := size; i+size <= len(syms); i += size {
		at := int(f.ByteOrder.Uint32(syms[i:]))
		if at >= len(strs) {
			continue
		}
		end := bytes.IndexByte(strs[at:], 0)
		if end < 0 || !want[string(strs[at:at+end])] {
			continue
		}
		if size == 24 {
			out[string(strs[at:at+end])] = f.ByteOrder.Uint64(syms[i+valueAt:])
		} else {
			out[string(strs[at:at+end])] = uint64(f.ByteOrder.Uint32(syms[i+valueAt:]))
		}
	}
	return out
}

// binary returns the executable's view for the binary checks, made on
// first use; Close releases it.
func (in *Input) binary() *dwarfcheck.Input {
	if in.Binary == nil {
		in.Binary = dwarfcheck.NewInput(in.exe)
		in.Binary.GitHead = nil // no workspace to compare with
		if in.DebugInfoDirs != nil {
			in.Binary.DebugInfoDirs = in.DebugInfoDirs
		}
	}
	return in.Binary
}
