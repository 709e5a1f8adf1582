package dwarfcheck

// BinaryChecks are the checks `dlvx doctor BINARY` runs, in order: each
// check comes after the checks it requires.
var BinaryChecks = []*Check{
	ELFHeaders,
	GoBinary,
	Architecture,
	DWARFPresent,
	AsyncPreemptControl,
	SeparateDebug,
	CompressedDWARF,
	PIE,
	BuildInfoPresent,
	GoVersion,
	Trimpath,
	Race,
	Experiments,
	DWARFUnits,
	DWARFVersion,
	Optimization,
	Cgo,
	BuildSystem,
	HardStops,
	Stale,
}

// Select returns the checks in all whose names are in only (all when only
// is empty) and not in skip, keeping the checks they require.
func Select(all []*Check, only, skip []string) []*Check {
	in := func(list []string, name string) bool {
		for _, n := range list {
			if n == name {
				return true
			}
		}
		return false
	}
	keep := map[*Check]bool{}
	var mark func(c *Check)
	mark = func(c *Check) {
		if keep[c] {
			return
		}
		keep[c] = true
		for _, r := range c.Requires {
			mark(r)
		}
	}
	for _, c := range all {
		if (len(only) == 0 || in(only, c.Name)) && !in(skip, c.Name) {
			mark(c)
		}
	}
	var out []*Check
	for _, c := range all {
		if keep[c] {
			out = append(out, c)
		}
	}
	return out
}
