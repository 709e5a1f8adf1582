package dwarfcheck

import (
	"debug/dwarf"
	"debug/elf"
	"fmt"
	"strings"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/preempt"
)

// HardStops reports runtime.Breakpoint() calls compiled into the main
// module: each one stops the program under a debugger (and kills it with
// SIGTRAP without one).
var HardStops = &Check{
	Name:     "hard-stops",
	Doc:      "report runtime.Breakpoint calls in the main module\n\nDecodes the machine code of the main module's functions (from their DWARF ranges) and looks for calls to runtime.Breakpoint, found in the symbol table.",
	Requires: []*Check{DWARFUnits, BuildInfoPresent},
	Run:      hardStops,
}

func hardStops(in *Input) ([]finding.Finding, error) {
	f, _ := in.ELF()
	// An optimized build inlines runtime.Breakpoint and calls the
	// assembly runtime.breakpoint (ABI0) directly.
	names := []string{"runtime.Breakpoint", "runtime.breakpoint.abi0", "runtime.breakpoint"}
	syms, err := LookupSymbols(f, names...)
	if err != nil {
		return nil, finding.ErrNotApplicable // no .symtab (-s): nothing to resolve calls against
	}
	targets := map[uint64]bool{}
	for _, name := range names {
		if a, ok := symbolAddr(syms[name]); ok {
			targets[a] = true
		}
	}
	if len(targets) == 0 {
		return nil, nil // the linker kept no breakpoint function: nothing calls it
	}
	arch := preempt.GOARCH(&f.FileHeader)
	text := f.Section(".text")
	if text == nil || !preempt.Decodable(arch) {
		return nil, finding.ErrNotApplicable
	}
	fns, err := mainModuleFuncs(in)
	if err != nil {
		return nil, err
	}
	var evs []finding.Evidence
	for _, fn := range fns {
		if fn.low < text.Addr || fn.high > text.Addr+text.Size || fn.high <= fn.low {
			continue
		}
		code := make([]byte, fn.high-fn.low)
		if _, err := text.ReadAt(code, int64(fn.low-text.Addr)); err != nil {
			return nil, &SectionError{Section: ".text", Offset: int64(text.Offset + fn.low - text.Addr), Err: err}
		}
		pcs, err := preempt.CallsTo(arch, code, fn.low, targets)
		if err != nil {
			return nil, err
		}
		for _, pc := range pcs {
			evs = append(evs, finding.EvidenceAt("elf:.text", int64(text.Offset+pc-text.Addr), "%s calls runtime.Breakpoint at %#x", fn.name, pc))
		}
	}
	if len(evs) == 0 {
		return nil, nil
	}
	fd := finding.New("BP-HARDSTOP", evs...)
	fd.Fixes = []finding.Fix{{Summary: "remove the runtime.Breakpoint() calls, or guard them so they run only under a debugger"}}
	return []finding.Finding{fd}, nil
}

// symbolAddr returns the address of the first function among syms.
func symbolAddr(syms []elf.Symbol) (uint64, bool) {
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC {
			return s.Value, true
		}
	}
	return 0, false
}

type funcRange struct {
	name      string
	low, high uint64
}

// mainModuleFuncs lists the concrete functions of the main module's
// compile units with their address ranges.
func mainModuleFuncs(in *Input) ([]funcRange, error) {
	bi, _ := in.BuildInfo()
	units, _ := in.Units()
	d, err := in.DWARF()
	if err != nil {
		return nil, err
	}
	var out []funcRange
	for _, u := range units {
		if !u.IsGo() || !(u.Name == "main" || u.Name == bi.Main.Path || strings.HasPrefix(u.Name, bi.Main.Path+"/")) {
			continue
		}
		r := d.Reader()
		r.Seek(u.Offset)
		if _, err := r.Next(); err != nil {
			return nil, fmt.Errorf("compile unit %s: %w", u.Name, err)
		}
		for {
			e, err := r.Next()
			if err != nil {
				return nil, fmt.Errorf("compile unit %s: %w", u.Name, err)
			}
			if e == nil || e.Tag == 0 {
				break
			}
			if e.Tag == dwarf.TagSubprogram {
				if fr, ok := subprogramRange(e); ok {
					out = append(out, fr)
				}
			}
			r.SkipChildren()
		}
	}
	return out, nil
}

func subprogramRange(e *dwarf.Entry) (funcRange, bool) {
	name, _ := e.Val(dwarf.AttrName).(string)
	low, ok := e.Val(dwarf.AttrLowpc).(uint64)
	if !ok {
		return funcRange{}, false
	}
	switch hv := e.Val(dwarf.AttrHighpc).(type) {
	case uint64:
		return funcRange{name, low, hv}, true
	case int64:
		return funcRange{name, low, low + uint64(hv)}, true
	}
	return funcRange{}, false
}
