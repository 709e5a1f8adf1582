package textguard

import (
	"debug/elf"
	"debug/gosym"
	"fmt"
	"path/filepath"
	"sort"
)

// symbolize fills in the static address, function and line of each
// leftover in mapping m of file ef: from the Go function table when the
// file has one, else from its ELF symbols.
func symbolize(ef *elf.File, m Mapping, lefts []Leftover) {
	if len(lefts) == 0 {
		return
	}
	tab := goTable(ef)
	syms := elfFuncs(ef)
	for i := range lefts {
		l := &lefts[i]
		static, ok := staticAddr(ef, m.Offset+(l.Addr-m.Start))
		if !ok {
			continue
		}
		l.Static = static
		if tab != nil {
			if file, line, fn := tab.PCToLine(static); fn != nil {
				l.Func, l.Line = fn.Name, fmt.Sprintf("%s:%d", filepath.Base(file), line)
				continue
			}
		}
		l.Func = syms.lookup(static)
	}
}

// staticAddr maps a file offset to the address the file's program
// headers give it (what a PIE is linked at, before relocation).
func staticAddr(ef *elf.File, off uint64) (uint64, bool) {
	for _, p := range ef.Progs {
		if p.Type == elf.PT_LOAD && off >= p.Off && off < p.Off+p.Filesz {
			return p.Vaddr + (off - p.Off), true
		}
	}
	return 0, false
}

// goTable returns the Go line table of ef, nil when it has none.
func goTable(ef *elf.File) *gosym.Table {
	pcln := ef.Section(".gopclntab")
	text := ef.Section(".text")
	if pcln == nil || text == nil {
		return nil
	}
	data, err := pcln.Data()
	if err != nil {
		return nil
	}
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		return nil
	}
	return tab
}

// funcSyms are function symbols sorted by address.
type funcSyms []elf.Symbol

func elfFuncs(ef *elf.File) funcSyms {
	syms, _ := ef.Symbols()
	dyn, _ := ef.DynamicSymbols()
	var out funcSyms
	for _, s := range append(syms, dyn...) {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Value != 0 {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	return out
}

// lookup returns the name of the function holding addr, "" when none does.
func (fs funcSyms) lookup(addr uint64) string {
	i := sort.Search(len(fs), func(i int) bool { return fs[i].Value > addr }) - 1
	if i < 0 {
		return ""
	}
	s := fs[i]
	if s.Size != 0 && addr >= s.Value+s.Size {
		return ""
	}
	return fmt.Sprintf("%s+%#x", s.Name, addr-s.Value)
}
