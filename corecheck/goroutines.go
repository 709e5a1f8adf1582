package corecheck

import (
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

// symbol returns the link-time address of an ELF symbol, looked up with
// the others countGoroutines reads in one pass over the symbol table.
func (e *exeFile) symbol(name string) (uint64, bool) {
	if e.syms == nil {
		e.syms = map[string]uint64{}
		syms, _ := dwarfcheck.LookupSymbols(e.f, "runtime.allglen", "runtime.allgs")
		for n, s := range syms {
			e.syms[n] = s[0].Value
		}
	}
	v, ok := e.syms[name]
	return v, ok
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
