package breakcheck

import (
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/srcpath"
	"github.com/go-delve/delve/pkg/proc"
)

// parseLocation splits FILE:LINE; anything else is a function name.
func parseLocation(loc string) (file string, line int, isLine bool) {
	i := strings.LastIndexByte(loc, ':')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(loc[i+1:])
	if err != nil || n <= 0 {
		return "", 0, false
	}
	return loc[:i], n, true
}

// Breaks answers "will a breakpoint at loc bind?" for each of locs, as
// --break does. It loads Delve's BinaryInfo; rules are the substitutePath
// rules (from = editor path, to = binary path) the source check derived,
// applied as a front end would.
func Breaks(in *dwarfcheck.Input, locs []string, rules []srcpath.PathRule) ([]finding.BreakVerdict, error) {
	if len(locs) == 0 {
		return nil, nil
	}
	f, err := in.ELF()
	if err != nil {
		return nil, err
	}
	bi, err := delve(in)
	if err != nil {
		if dwarfcheck.HasDebugInfo(f) {
			return nil, err
		}
		// What `dlvx exec` does too: it refuses the binary.
		return blindVerdicts(in, locs, err), nil
	}
	p := newFileProcess(bi, f)
	out := make([]finding.BreakVerdict, 0, len(locs))
	for _, loc := range locs {
		var v finding.BreakVerdict
		if file, line, ok := parseLocation(loc); ok {
			v = lineVerdict(in, p, loc, file, line, rules)
		} else {
			v = breakAtFunc(in, p, loc)
		}
		for i := range v.Findings {
			v.Findings[i].Check = "break"
		}
		out = append(out, v)
	}
	return out, nil
}

// lineVerdict answers a file:line question about the editor's file, the
// rules applied as a front end applies them. When the rules rewrote the
// path to one the binary lacks, the rules are the mistake: the editor's
// own path is judged, and gets the rule the binary's file table calls for
// (srcpath.Corrected, the rule the launch lint proposes for the same
// configuration), or none when the binary records the editor's paths.
func lineVerdict(in *dwarfcheck.Input, p *fileProcess, loc, file string, line int, rules []srcpath.PathRule) finding.BreakVerdict {
	bin := srcpath.Apply(file, rules)
	sources := p.bi.Sources
	if bin == file || len(matchFiles(sources, bin)) > 0 {
		return breakAtLine(in, p, loc, bin, localSource(in, file, bin), line)
	}
	ruled := finding.Evidencef("dap:substitutePath", "the session's rules map the editor's %s to %s", file, bin)
	var fd finding.Finding
	if slices.Contains(sources, file) {
		fd = finding.New("BP-PATH", finding.Evidencef("delve:sources", "no file %s", bin), ruled,
			finding.Evidencef("delve:sources", "the binary records the editor's own path %s", file))
		fd.Fixes = []finding.Fix{{Summary: `remove the rules that rewrite the workspace's paths from "substitutePath"`}}
	} else {
		fd = fileNotFound(in, sources, file)
		fd.Evidence = append([]finding.Evidence{fd.Evidence[0], ruled}, fd.Evidence[1:]...)
	}
	return finding.BreakVerdict{Location: loc, Kind: "line", Findings: []finding.Finding{fd}}
}

// breakAtLine answers a file:line question; file is the binary's path
// (the rules applied), local the editor's, read for function bounds.
func breakAtLine(in *dwarfcheck.Input, p *fileProcess, loc, file, local string, line int) finding.BreakVerdict {
	v := finding.BreakVerdict{Location: loc, Kind: "line"}
	bi := p.bi
	cands := matchFiles(bi.Sources, file)
	switch {
	case len(cands) == 0:
		v.Findings = append(v.Findings, fileNotFound(in, bi.Sources, file))
		return v
	case len(cands) > 1:
		v.Findings = append(v.Findings, finding.New("BP-PATH-AMBIGUOUS",
			finding.Evidencef("delve:sources", "%q matches %s", file, finding.ListSome(cands, 6))))
		v.Findings[0].Fixes = []finding.Fix{{Summary: "give more of the path, e.g. " + cands[0] + ":" + strconv.Itoa(line)}}
		return v
	}
	pcs, err := proc.FindFileLocation(p, cands[0], line)
	if err != nil {
		v.Findings = append(v.Findings, lineNotFound(in, p, cands[0], local, line, err))
		return v
	}
	v.Binds = true
	v.Addrs = describePCs(bi, pcs, cands[0], line)
	v.Findings = append(v.Findings, optimizedCaveat(bi, pcs)...)
	return v
}

// matchFiles returns the binary's files that file names: the whole path,
// or a suffix starting at a path separator, as Delve's locspec matches.
func matchFiles(sources []string, file string) []string {
	var out []string
	for _, s := range sources {
		if s == file || len(file) < len(s)-1 && strings.HasSuffix(s, file) && s[len(s)-len(file)-1] == '/' {
			out = append(out, s)
		}
	}
	return out
}

// lineNotFound explains a FindFileLocation failure.
func lineNotFound(in *dwarfcheck.Input, p *fileProcess, file, local string, line int, err error) finding.Finding {
	var nf *proc.ErrCouldNotFindLine
	if errors.As(err, &nf) && strings.Contains(err.Error(), "binary is stripped") {
		fd := finding.New("BP-NODWARF", finding.Evidencef("delve:find-file-location", "%v", err))
		fd.Fixes = dwarfcheck.RebuildFixes(in)
		return fd
	}
	if name, ok := removedFunction(p.bi, file, line); ok {
		return finding.New("BP-FUNCNAME-REMOVED", finding.Evidencef("delve:find-file-location", "%v", err),
			finding.Evidencef(file, "line %d is in %s, which the binary does not contain", line, name))
	}
	return noStatement(p, file, local, line, err)
}

func describePCs(bi *proc.BinaryInfo, pcs []uint64, file string, line int) []finding.BreakAddr {
	out := make([]finding.BreakAddr, 0, len(pcs))
	for _, pc := range pcs {
		a := finding.BreakAddr{PC: pc, File: file, Line: line}
		if fn := bi.PCToFunc(pc); fn != nil {
			a.Function = fn.Name
			ef, el := bi.EntryLineForFunc(fn)
			a.Inlined = ef != file || el > line
		}
		out = append(out, a)
	}
	return out
}

// optimizedCaveat warns when a bound breakpoint sits in optimized code.
func optimizedCaveat(bi *proc.BinaryInfo, pcs []uint64) []finding.Finding {
	var names []string
	seen := map[string]bool{}
	for _, pc := range pcs {
		if fn := bi.PCToFunc(pc); fn != nil && fn.Optimized() && !seen[fn.Name] {
			seen[fn.Name] = true
			names = append(names, fn.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	fd := finding.New("BP-OPT-LINE", finding.Evidencef("dwarf:producer", "optimized: %s", finding.ListSome(names, 4)))
	fd.Fixes = []finding.Fix{finding.RebuildFix("rebuild without optimizations", finding.Build{})}
	return []finding.Finding{fd}
}

// blindVerdicts answers every --break for a binary Delve cannot load.
func blindVerdicts(in *dwarfcheck.Input, locs []string, loadErr error) []finding.BreakVerdict {
	out := make([]finding.BreakVerdict, 0, len(locs))
	for _, loc := range locs {
		kind := "function"
		if _, _, ok := parseLocation(loc); ok {
			kind = "line"
		}
		fd := finding.New("BP-NODWARF-BLIND", finding.Evidencef("delve:load", "%v", loadErr))
		fd.Check = "break"
		fd.Fixes = dwarfcheck.RebuildFixes(in)
		out = append(out, finding.BreakVerdict{Location: loc, Kind: kind, Findings: []finding.Finding{fd}})
	}
	return out
}
