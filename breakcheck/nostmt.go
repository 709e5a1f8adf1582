package breakcheck

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/go-delve/delve/pkg/proc"
)

// localSource returns the file to read for an editor's path: the path
// itself or relative to the workspace (--source), else the binary's path
// for it; "" when none exists here.
func localSource(in *dwarfcheck.Input, file, binFile string) string {
	cands := []string{file, binFile}
	if in.Source != "" && !filepath.IsAbs(file) {
		cands = append([]string{filepath.Join(in.Source, file)}, cands...)
	}
	for _, c := range cands {
		if st, err := os.Stat(c); err == nil && st.Mode().IsRegular() {
			return c
		}
	}
	return ""
}

// noStatement explains a line without a statement. The lines it proposes
// stay inside the function that encloses the line (never a package
// clause, an import or a declaration outside every function, which may
// have code of the package's init); a line outside every function says
// so and proposes none.
func noStatement(p *fileProcess, file, local string, line int, err error) finding.Finding {
	fd := finding.New("BP-NOSTMT", finding.Evidencef("delve:find-file-location", "%v", err))
	sc := lineScope(p.bi, file, local, line)
	if sc.In == nil {
		fd.Evidence = append(fd.Evidence, finding.Evidencef(scopeSource(sc), "%s", outsideFunctions(sc, line)))
		fd.Fixes = []finding.Fix{{Summary: "set the breakpoint on a line inside a function body"}}
		return fd
	}
	in := *sc.In
	above := statementIn(p, file, line, in, -1)
	below := statementIn(p, file, line, in, +1)
	var near []string
	if above > 0 {
		near = append(near, strconv.Itoa(above))
		fd.Fixes = append(fd.Fixes, finding.Fix{Summary: "in dlvx, break on the statement above", Command: []string{"break", fmt.Sprintf("%s:%d", path.Base(file), above)},
			Editor: fmt.Sprintf("move the breakpoint up to line %d", above)})
	}
	if below > 0 {
		near = append(near, strconv.Itoa(below))
		fd.Fixes = append(fd.Fixes, finding.Fix{Summary: "in dlvx, break on the statement below", Command: []string{"break", fmt.Sprintf("%s:%d", path.Base(file), below)},
			Editor: fmt.Sprintf("move the breakpoint down to line %d", below)})
	}
	if len(near) > 0 {
		fd.Evidence = append(fd.Evidence, finding.Evidencef("delve:find-file-location", "nearest lines with statements in %s (lines %d-%d): %s", in.Name, in.Start, in.End, strings.Join(near, ", ")))
	} else {
		fd.Evidence = append(fd.Evidence, finding.Evidencef("delve:find-file-location", "no line of %s (lines %d-%d) has a statement", in.Name, in.Start, in.End))
	}
	if fn := optimizedIn(p.bi, file, in); fn != "" {
		fd.Evidence = append(fd.Evidence, finding.Evidencef("dwarf:producer", "%s is optimized: the compiler may have removed or merged this line's code (BP-OPT)", fn))
	}
	return fd
}

// scopeSource names where a scope's function bounds were read.
func scopeSource(sc scope) string {
	if sc.FromSource {
		return "source"
	}
	return "delve:line-table"
}

// outsideFunctions says where a line outside every function is.
func outsideFunctions(sc scope, line int) string {
	desc := func(s span) string { return fmt.Sprintf("%s (lines %d-%d)", s.Name, s.Start, s.End) }
	switch {
	case sc.Prev.Name != "" && sc.Next.Name != "":
		return fmt.Sprintf("line %d is between two functions, after %s and before %s: no code runs there", line, desc(sc.Prev), desc(sc.Next))
	case sc.Next.Name != "":
		return fmt.Sprintf("line %d is before the first function, %s: package clause, imports and declarations have no code to stop at", line, desc(sc.Next))
	case sc.Prev.Name != "":
		return fmt.Sprintf("line %d is after the last function, %s: no code runs there", line, desc(sc.Prev))
	}
	return fmt.Sprintf("line %d is in no function of this file", line)
}

// optimizedIn names the optimized function that has code on the lines of
// sp, or "".
func optimizedIn(bi *proc.BinaryInfo, file string, sp span) string {
	var lines []int
	for l := sp.Start; l <= sp.End; l++ {
		if sp.contains(l) {
			lines = append(lines, l)
		}
	}
	for _, pcs := range bi.AllPCsForFileLines(file, lines) {
		for _, pc := range pcs {
			if fn := bi.PCToFunc(pc); fn != nil && fn.Optimized() {
				return fn.Name
			}
		}
	}
	return ""
}
