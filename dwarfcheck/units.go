package dwarfcheck

import (
	"debug/dwarf"
	"errors"
	"fmt"
	"strings"
)

// A Unit summarises one DWARF compile unit: for Go, one package.
type Unit struct {
	Name     string       // DW_AT_name: the package path for Go
	Producer string       // DW_AT_producer: "Go cmd/compile go1.26.8; -N -l regabi"
	Lang     int64        // DW_AT_language; 0 when absent
	CompDir  string       // DW_AT_comp_dir
	Offset   dwarf.Offset // offset of the unit's entry in .debug_info
	entry    *dwarf.Entry
}

// DWARF language codes the doctor distinguishes.
const (
	langC89   = 0x1
	langC     = 0x2
	langCPP   = 0x4
	langC99   = 0xc
	langCPP11 = 0x1a
	langC11   = 0x1d
	langCPP14 = 0x21
	langGo    = 0x16
)

// IsGo reports whether the unit was compiled from Go.
func (u Unit) IsGo() bool {
	return u.Lang == langGo || strings.HasPrefix(u.Producer, "Go cmd/compile")
}

// IsC reports whether the unit was compiled from C or C++.
func (u Unit) IsC() bool {
	switch u.Lang {
	case langC89, langC, langCPP, langC99, langCPP11, langC11, langCPP14:
		return true
	}
	return false
}

// Flags returns the compiler flags recorded after ";" in a Go producer.
func (u Unit) Flags() []string {
	_, after, ok := strings.Cut(u.Producer, ";")
	if !ok {
		return nil
	}
	return strings.Fields(after)
}

// Optimized reports whether a Go unit was compiled with optimizations (no
// -N) and with inlining (no -l).
func (u Unit) Optimized() (opt, inl bool) {
	opt, inl = true, true
	for _, f := range u.Flags() {
		switch f {
		case "-N":
			opt = false
		case "-l":
			inl = false
		}
	}
	return opt, inl
}

// Units returns one entry per compile unit, reading only unit headers.
func (in *Input) Units() ([]Unit, error) {
	return in.units.get(func() ([]Unit, error) {
		if in.Funcs != nil {
			if r, _, ok := in.Funcs.Loaded(); ok {
				return readUnits(r)
			}
		}
		d, err := in.DWARF()
		if err != nil {
			return nil, err
		}
		return readUnits(d.Reader())
	})
}

func readUnits(r EntryReader) ([]Unit, error) {
	var units []Unit
	for {
		e, err := r.Next()
		if err != nil {
			return units, &SectionError{Section: ".debug_info", Offset: decodeOffset(err), Err: err}
		}
		if e == nil {
			return units, nil
		}
		if e.Tag == dwarf.TagCompileUnit {
			u := Unit{Offset: e.Offset, entry: e}
			u.Name, _ = e.Val(dwarf.AttrName).(string)
			u.Producer, _ = e.Val(dwarf.AttrProducer).(string)
			u.CompDir, _ = e.Val(dwarf.AttrCompDir).(string)
			u.Lang, _ = e.Val(dwarf.AttrLanguage).(int64)
			units = append(units, u)
		}
		r.SkipChildren()
	}
}

// Files returns the distinct file names of every unit's line table: in
// first-seen order, or sorted when they come from Delve.
func (in *Input) Files() ([]string, error) {
	return in.files.get(func() ([]string, error) {
		if in.Funcs != nil {
			if _, sources, ok := in.Funcs.Loaded(); ok {
				return sources, nil
			}
		}
		d, err := in.DWARF()
		if err != nil {
			return nil, err
		}
		units, err := in.Units()
		if err != nil {
			return nil, err
		}
		if in.lines != nil {
			return in.lines.streamFiles(units)
		}
		seen := map[string]bool{}
		var files []string
		for _, u := range units {
			lr, err := d.LineReader(u.entry)
			if err != nil {
				return files, fmt.Errorf("line table of %s: %w", u.Name, err)
			}
			if lr == nil {
				continue
			}
			for _, f := range lr.Files() {
				if f != nil && !seen[f.Name] {
					seen[f.Name] = true
					files = append(files, f.Name)
				}
			}
		}
		return files, nil
	})
}

// decodeOffset returns the section offset a dwarf.DecodeError names, or -1.
func decodeOffset(err error) int64 {
	var de dwarf.DecodeError
	if errors.As(err, &de) {
		return int64(de.Offset)
	}
	return -1
}
