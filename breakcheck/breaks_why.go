package breakcheck

import (
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/srcpath"
	"github.com/go-delve/delve/pkg/proc"
)

// fileNotFound tells, for a file the binary does not know by that path, a
// path mismatch (the same file under another directory) from a letter-case
// difference and from a file that is not compiled in at all.
func fileNotFound(in *dwarfcheck.Input, sources []string, file string) finding.Finding {
	base := path.Base(file)
	var sameBase, folded []string
	for _, s := range sources {
		switch sb := path.Base(s); {
		case sb == base:
			sameBase = append(sameBase, s)
		case strings.EqualFold(sb, base):
			folded = append(folded, s)
		}
	}
	if len(sameBase) > 0 {
		return sameNamePath(file, sources, sameBase)
	}
	if len(folded) > 0 {
		fd := finding.New("BP-CASE", finding.Evidencef("delve:sources", "no file %s", file), finding.Evidencef("delve:sources", "same name in another letter case: %s", closest(file, folded)))
		return fd
	}
	return notInBinary(in, sources, file)
}

// notInBinary explains a file that the binary does not contain.
func notInBinary(in *dwarfcheck.Input, sources []string, file string) finding.Finding {
	dir := path.Dir(file)
	var siblings []string
	for _, s := range sources {
		if path.Dir(s) == dir || srcpath.CommonSuffix(path.Dir(s), dir, false) >= 2 {
			siblings = append(siblings, s)
		}
	}
	evs := []finding.Evidence{finding.Evidencef("delve:sources", "no file named %s among the binary's %d files", path.Base(file), len(sources))}
	if len(siblings) > 0 {
		evs = append(evs, finding.Evidencef("delve:sources", "%d files of its directory are in the binary, e.g. %s: the path mapping is right", len(siblings), siblings[0]))
	}
	if strings.HasSuffix(file, "_test.go") {
		evs = append(evs, finding.Evidencef("path", "%s is a test file: it is only in the binary go test builds", path.Base(file)))
	}
	local := file
	if in.Source != "" && !path.IsAbs(local) {
		local = path.Join(in.Source, file)
	}
	if c := srcpath.BuildConstraint(local); c != "" {
		evs = append(evs, finding.Evidencef(local, "%s", c))
		if bi, err := in.BuildInfo(); err == nil {
			tags, _ := dwarfcheck.Setting(bi, "-tags")
			evs = append(evs, finding.Evidencef("buildinfo", "-tags=%q", tags))
		}
	}
	return finding.New("BP-NOTINBIN", evs...)
}

// closest returns the candidate sharing the longest trailing path with file.
func closest(file string, cands []string) string {
	best, bestN := cands[0], -1
	for _, c := range cands {
		if n := srcpath.CommonSuffix(file, c, true); n > bestN {
			best, bestN = c, n
		}
	}
	return best
}

func breakAtFunc(in *dwarfcheck.Input, p *fileProcess, name string) finding.BreakVerdict {
	v := finding.BreakVerdict{Location: name, Kind: "function"}
	bi := p.bi
	fns, err := bi.FindFunction(name)
	if err == nil && !delveCanName(fns, name) {
		// Delve's location parser compares base names, which functions
		// read from the Go function table lack. The terminal then evaluates
		// the name as an expression: a concrete function yields its entry.
		for _, f := range fns {
			if f.Entry != 0 {
				v.Binds = true
				v.Addrs = describeFuncPCs(bi, fns, []uint64{f.Entry})
				return v
			}
		}
		fd := finding.New("BP-NODWARF", finding.Evidencef("delve:functions", "%s exists only as inlined copies in the Go function table, which Delve's location parser cannot name without DWARF", name))
		fd.Fixes = dwarfcheck.RebuildFixes(in)
		v.Findings = append(v.Findings, fd)
		return v
	}
	if err == nil {
		pcs, err := proc.FindFunctionLocation(p, name, 0)
		if err == nil {
			v.Binds = true
			v.Addrs = describeFuncPCs(bi, fns, pcs)
			if allInlined(fns) {
				v.Findings = append(v.Findings, finding.New("BP-OPT-INLINED",
					finding.Evidencef("dwarf:.debug_info", "no concrete %s; %d inlined copies", name, len(pcs))))
			}
			v.Findings = append(v.Findings, optimizedCaveat(bi, pcs)...)
			return v
		}
		fd := finding.New("BP-FUNCNAME-REMOVED", finding.Evidencef("delve:find-function-location", "%v", err))
		v.Findings = append(v.Findings, fd)
		return v
	}
	v.Findings = append(v.Findings, funcNotFound(in, bi, name))
	return v
}

// funcNotFound explains a name Delve does not know: a blind binary, a
// function declared in the source but absent, or a misspelt name.
func funcNotFound(in *dwarfcheck.Input, bi *proc.BinaryInfo, name string) finding.Finding {
	if len(bi.Functions) == 0 {
		return finding.New("BP-NODWARF-BLIND", finding.Evidencef("delve:functions", "Delve knows no function in this binary"))
	}
	if decl := declaredIn(searchDirs(in, bi, name), name); decl != "" {
		fd := finding.New("BP-FUNCNAME-REMOVED",
			finding.Evidencef("delve:functions", "no function %s in the binary", name), finding.Evidencef(decl, "declares %s", baseName(name)))
		if c := srcpath.BuildConstraint(decl); c != "" {
			fd.Evidence = append(fd.Evidence, finding.Evidencef(decl, "%s: the file may not be compiled in (BP-NOTINBIN)", c))
		}
		return fd
	}
	fd := finding.New("BP-FUNCNAME", finding.Evidencef("delve:functions", "no function %s among %d", name, len(bi.Functions)))
	if c := finding.Closest(name, funcNames(bi), 5); len(c) > 0 {
		fd.Evidence = append(fd.Evidence, finding.Evidencef("delve:functions", "closest names: %s", strings.Join(c, ", ")))
		for _, n := range c[:min(2, len(c))] {
			fd.Fixes = append(fd.Fixes, finding.Fix{Summary: "in dlvx, break on " + n, Command: []string{"break", n},
				Editor: "name the function breakpoint " + n})
		}
	}
	return fd
}

func allInlined(fns []*proc.Function) bool {
	for _, f := range fns {
		if f.Entry != 0 {
			return false
		}
	}
	return true
}

func describeFuncPCs(bi *proc.BinaryInfo, fns []*proc.Function, pcs []uint64) []finding.BreakAddr {
	inl := map[uint64]bool{}
	for _, f := range fns {
		for _, c := range f.InlinedCalls {
			inl[c.LowPC] = true
		}
	}
	out := make([]finding.BreakAddr, 0, len(pcs))
	for _, pc := range pcs {
		file, line, fn := bi.PCToLine(pc)
		a := finding.BreakAddr{PC: pc, File: file, Line: line, Inlined: inl[pc]}
		if fn != nil {
			a.Function = fn.Name
		}
		out = append(out, a)
	}
	return out
}

// baseName returns the last element of a function name: "(*T).M" → "M".
func baseName(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// funcNames lists the names of Delve's functions, for finding.Closest: the
// resolver asks it about the same list.
func funcNames(bi *proc.BinaryInfo) []string {
	names := make([]string, len(bi.Functions))
	for i := range bi.Functions {
		names[i] = bi.Functions[i].Name
	}
	return names
}

// searchDirs returns where to look for the source of a missing function:
// the workspace when given, else the directory of the binary's files for
// the function's package, when they exist on this machine.
func searchDirs(in *dwarfcheck.Input, bi *proc.BinaryInfo, name string) []string {
	if in.Source != "" {
		return []string{in.Source}
	}
	pkg := name
	if i := strings.LastIndexByte(strings.SplitN(name, "(", 2)[0], '.'); i > 0 {
		pkg = name[:i]
	}
	for fname, fns := range bi.LookupFunc() {
		if !strings.HasPrefix(fname, pkg+".") || fns[0].Entry == 0 {
			continue
		}
		file, _ := bi.EntryLineForFunc(fns[0])
		if dir := path.Dir(file); path.IsAbs(file) {
			if _, err := os.Stat(dir); err == nil {
				return []string{dir}
			}
		}
	}
	return nil
}

// declaredIn returns the file under dirs that declares the function's
// base name, or "".
func declaredIn(dirs []string, name string) string {
	var files []string
	for _, d := range dirs {
		fs, err := srcpath.WorkspaceFiles(d)
		if err == nil {
			files = append(files, fs...)
		}
	}
	decl := regexp.MustCompile(`(?m)^func (\([^)]*\) )?` + regexp.QuoteMeta(baseName(name)) + `[\[(]`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		if data, err := os.ReadFile(f); err == nil && decl.Match(data) {
			return f
		}
	}
	return ""
}

// delveCanName reports whether Delve's function location parser matches
// one of fns by name: it requires the function's parsed base name to
// equal the last element of name.
func delveCanName(fns []*proc.Function, name string) bool {
	base := baseName(name)
	for _, f := range fns {
		if f.BaseName() == base {
			return true
		}
	}
	return false
}
