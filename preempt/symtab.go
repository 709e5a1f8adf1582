package preempt

import (
	"debug/elf"
	"debug/gosym"
	"errors"
	"fmt"
)

// A symtab indexes an executable's functions by name. It comes from the ELF
// symbol table or, in a binary stripped with -ldflags=-s, from the Go
// runtime's own function table (.gopclntab), where an ABI0 wrapper has the
// same name as the function it wraps.
type symtab struct {
	byName map[string][]elf.Symbol
}

// newSymtab indexes the functions of f whose names are in keep.
func newSymtab(f *elf.File, keep map[string]bool) (*symtab, error) {
	all, err := f.Symbols()
	if errors.Is(err, elf.ErrNoSymbols) {
		return pclnSymtab(f, keep)
	}
	if err != nil {
		return nil, fmt.Errorf("read symbols: %w", err)
	}
	s := &symtab{byName: make(map[string][]elf.Symbol)}
	for _, sym := range all {
		if keep[sym.Name] && elf.ST_TYPE(sym.Info) == elf.STT_FUNC {
			s.byName[sym.Name] = append(s.byName[sym.Name], sym)
		}
	}
	return s, nil
}

// pclnSymtab reads the function table of the Go runtime.
func pclnSymtab(f *elf.File, keep map[string]bool) (*symtab, error) {
	pcln, text := f.Section(".gopclntab"), f.Section(".text")
	if pcln == nil || text == nil {
		return nil, ErrNoSymbols
	}
	data, err := pcln.Data()
	if err != nil {
		return nil, fmt.Errorf("read .gopclntab: %w", err)
	}
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		return nil, fmt.Errorf("read .gopclntab: %w", err)
	}
	s := &symtab{byName: make(map[string][]elf.Symbol)}
	for _, fn := range tab.Funcs {
		if !keep[fn.Name] {
			continue
		}
		sym := elf.Symbol{Name: fn.Name, Value: fn.Entry, Size: fn.End - fn.Entry}
		s.byName[fn.Name] = append(s.byName[fn.Name], sym)
	}
	return s, nil
}

// lookup returns the first function called one of names.
func (s *symtab) lookup(names ...string) (elf.Symbol, bool) {
	for _, n := range names {
		if syms := s.byName[n]; len(syms) > 0 {
			return syms[0], true
		}
	}
	return elf.Symbol{}, false
}

// all returns every function called name.
func (s *symtab) all(name string) []elf.Symbol { return s.byName[name] }
