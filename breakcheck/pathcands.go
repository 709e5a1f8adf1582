package breakcheck

import (
	"path"
	"slices"
	"strings"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/srcpath"
)

// sameNamePath explains an editor path the binary does not have, when
// the binary has files of the same name (sameBase, non-empty). The rule
// it proposes is one that maps the editor's whole module consistently,
// when the editor's files are readable here (srcpath.Infer votes with
// every file of the module); else the one candidate the path's trailing
// directories single out; else it lists the candidates.
func sameNamePath(file string, sources, sameBase []string) finding.Finding {
	if fd, ok := pathByWorkspace(file, sources); ok {
		return fd
	}
	all := len(sameBase)
	if own := ownFiles(sameBase); len(own) > 0 && !dwarfcheck.IsToolchainOrCache(file) {
		sameBase = own // an editor's file is not in the module cache or GOROOT
	}
	best := closest(file, sameBase)
	n := srcpath.CommonSuffix(file, best, false)
	var tops []string
	for _, c := range sameBase {
		if srcpath.CommonSuffix(file, c, true) == srcpath.CommonSuffix(file, best, true) {
			tops = append(tops, c)
		}
	}
	if len(tops) == 1 && (n > 1 || len(sameBase) == 1) {
		keep := max(n-1, 1)
		r := srcpath.PathRule{From: srcpath.TrimElems(file, keep), To: srcpath.TrimElems(best, keep)}
		id := "BP-PATH"
		if strings.EqualFold(r.From, r.To) {
			id = "BP-CASE"
		}
		fd := finding.New(id, finding.Evidencef("delve:sources", "no file %s", file), finding.Evidencef("delve:sources", "closest path in the binary: %s", best))
		fd.Fixes = srcpath.RuleFixes(r)
		return fd
	}
	fd := finding.New("BP-PATH-AMBIGUOUS",
		finding.Evidencef("delve:sources", "no file %s", file),
		finding.Evidencef("delve:sources", "%d files of the binary are named %s: %s", len(sameBase), path.Base(file), finding.ListSome(sameBase, 6)))
	if all > len(sameBase) {
		fd.Evidence = append(fd.Evidence, finding.Evidencef("delve:sources", "and %d in the module cache or GOROOT, left out", all-len(sameBase)))
	}
	fd.Explanation = "No file of the binary has the editor's path, and several have its name, so the path alone cannot tell which directory of the build the editor's folder is. Use the substitutePath rule of the right candidate; when the editor's module is readable on this machine, dlvx picks the rule that maps its other files too."
	for _, c := range tops[:min(3, len(tops))] {
		keep := max(n-1, 1)
		r := srcpath.PathRule{From: srcpath.TrimElems(file, keep), To: srcpath.TrimElems(c, keep)}
		fix := srcpath.RuleFixes(r)[0]
		fix.Summary = "if the editor's file is " + c + ": " + fix.Summary
		fd.Fixes = append(fd.Fixes, fix)
	}
	return fd
}

// ownFiles returns the files outside the module cache and GOROOT.
func ownFiles(files []string) []string {
	var out []string
	for _, f := range files {
		if !dwarfcheck.IsToolchainOrCache(f) {
			out = append(out, f)
		}
	}
	return out
}

// pathByWorkspace infers the rule from the editor's folder
// (srcpath.EditorRoot of file): srcpath.Corrected, the rule the launch
// lint proposes too. It applies only when the rule maps file to a file of
// the binary.
func pathByWorkspace(file string, sources []string) (finding.Finding, bool) {
	root := srcpath.EditorRoot(file)
	if root == "" {
		return finding.Finding{}, false
	}
	ws, err := srcpath.WorkspaceFiles(root)
	if err != nil || len(ws) == 0 {
		return finding.Finding{}, false
	}
	rule, votes := srcpath.Corrected(root, ws, sources)
	mapped := srcpath.Apply(file, []srcpath.PathRule{rule})
	if votes == 0 || rule.From == rule.To || !slices.Contains(sources, mapped) {
		return finding.Finding{}, false
	}
	fd := finding.New("BP-PATH",
		finding.Evidencef("delve:sources", "no file %s", file),
		finding.Evidencef("workspace", "%d files of %s are in the binary under %s; this one as %s", votes, root, displayRoot(rule.To), mapped))
	fd.Fixes = srcpath.RuleFixes(rule)
	return fd, true
}

func displayRoot(p string) string {
	if p == "" {
		return "(module-relative, -trimpath)"
	}
	return p
}
