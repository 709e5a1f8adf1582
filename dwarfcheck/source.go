package dwarfcheck

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// A PathRule maps an editor path prefix to the prefix the binary records,
// in DAP orientation: From is the editor's (local) path, To the binary's.
// Delve's CLI `config substitute-path` takes them the other way round.
type PathRule struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// applyRules rewrites an editor path to the binary's path with the first
// matching rule.
func applyRules(file string, rules []PathRule) string {
	for _, r := range rules {
		if file == r.From {
			return r.To
		}
		if strings.HasPrefix(file, r.From+"/") {
			return path.Join(r.To, strings.TrimPrefix(file, r.From+"/"))
		}
	}
	return file
}

// maxWorkspaceFiles bounds the workspace walk.
const maxWorkspaceFiles = 50000

// workspaceFiles lists the .go files under dir, skipping VCS, vendor and
// testdata directories.
// A symlinked dir is walked through its target, but the names returned
// keep the dir prefix, as an editor that opened dir would send them.
func workspaceFiles(dir string) ([]string, error) {
	var files []string
	dir = filepath.Clean(dir)
	walkRoot := dir
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		walkRoot = real
	}
	err := filepath.WalkDir(walkRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable entries are not the doctor's concern
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", ".hg", "vendor", "testdata", "node_modules":
				if p != walkRoot {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if strings.HasSuffix(p, ".go") {
			p = filepath.Join(dir, strings.TrimPrefix(p, walkRoot))
			files = append(files, filepath.ToSlash(p))
			if len(files) >= maxWorkspaceFiles {
				return fs.SkipAll
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk %s: %w", dir, err)
	}
	return files, nil
}

// binarySources returns the binary's source file names: from the DWARF
// line tables when present, otherwise from Delve (the Go function table).
func binarySources(in *Input) ([]string, error) {
	if files, err := in.Files(); err == nil {
		return files, nil
	}
	bi, err := in.Delve()
	if err != nil {
		return nil, err
	}
	return bi.Sources, nil
}

// commonSuffix returns how many trailing path elements a and b share.
func commonSuffix(a, b string, fold bool) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	n := 0
	for n < len(as) && n < len(bs) {
		x, y := as[len(as)-1-n], bs[len(bs)-1-n]
		if x != y && !(fold && strings.EqualFold(x, y)) {
			break
		}
		n++
	}
	return n
}

// trimElems removes the last n path elements of p.
func trimElems(p string, n int) string {
	parts := strings.Split(p, "/")
	if n >= len(parts) {
		return ""
	}
	return strings.Join(parts[:len(parts)-n], "/")
}

// inferRule votes for the rule mapping the workspace root to the binary's
// directory for it: each binary file whose trailing path equals a
// workspace file's path relative to root votes for the prefix before it.
// fold compares path elements case-insensitively.
func inferRule(root string, ws, bin []string, fold bool) (PathRule, int) {
	byBase := map[string][]string{}
	key := func(p string) string {
		if fold {
			return strings.ToLower(path.Base(p))
		}
		return path.Base(p)
	}
	for _, w := range ws {
		byBase[key(w)] = append(byBase[key(w)], w)
	}
	votes := map[string]int{}
	for _, b := range bin {
		if !strings.HasSuffix(b, ".go") || isToolchainOrCache(b) {
			continue
		}
		for _, w := range byBase[key(b)] {
			rel := strings.TrimPrefix(w, root+"/")
			n := strings.Count(rel, "/") + 1
			if commonSuffix(w, b, fold) >= n {
				votes[trimElems(b, n)]++
				break
			}
		}
	}
	best, bestN := "", 0
	for to, n := range votes {
		if n > bestN || n == bestN && to < best {
			best, bestN = to, n
		}
	}
	return PathRule{From: root, To: best}, bestN
}

// SourceReport is what --source found: findings and the rules to use.
type SourceReport struct {
	Findings []Finding
	Rules    []PathRule // empty when the editor's paths already match
}

// Source compares the binary's file table with the workspace in.Source and
// returns the substitutePath rules an editor needs, and findings that tell
// a path mismatch from a symlinked or case-differing workspace and from
// files that are simply not compiled into this binary.
func Source(in *Input) (*SourceReport, error) {
	if in.Source == "" {
		return &SourceReport{}, nil
	}
	ws, err := filepath.Abs(in.Source)
	if err != nil {
		return nil, fmt.Errorf("workspace %s: %w", in.Source, err)
	}
	ws = filepath.ToSlash(filepath.Clean(ws))
	wfiles, err := workspaceFiles(ws)
	if err != nil {
		return nil, err
	}
	bfiles, err := binarySources(in)
	if err != nil {
		return nil, err
	}
	rep := &SourceReport{}
	rule, n := inferRule(ws, wfiles, bfiles, false)
	fold := false
	if n == 0 {
		rule, n = inferRule(ws, wfiles, bfiles, true)
		fold = n > 0
	}
	if n == 1 && rule.From != rule.To && path.Base(rule.From) != path.Base(rule.To) && !sameCode(in, rule, wfiles) {
		n = 0 // one file with a common name (main.go) in another directory is no evidence of a move
	}
	if n == 0 {
		rep.Findings = append(rep.Findings, newFinding("BP-NOTINBIN",
			ev("workspace", "%d .go files under %s", len(wfiles), ws),
			ev("dwarf:.debug_line", "none of them is in the binary's %d files, under any directory", len(bfiles))))
		rep.Findings[0].Title = "no workspace file is compiled into this binary"
		return rep, nil
	}
	if rule.From != rule.To {
		rep.Rules = []PathRule{rule}
		rep.Findings = append(rep.Findings, pathFinding(ws, rule, n, fold))
	}
	if fd, ok := notCompiledIn(wfiles, bfiles, rep.Rules); ok {
		rep.Findings = append(rep.Findings, fd)
	}
	rules, fs := toolchainRules(in, bfiles)
	rep.Rules = append(rep.Rules, rules...)
	rep.Findings = append(rep.Findings, fs...)
	return rep, nil
}

// pathFinding classifies a needed rule: symlink, letter case, or another
// location, and gives the launch.json and CLI forms of the rule.
func pathFinding(ws string, r PathRule, votes int, fold bool) Finding {
	id := "BP-PATH"
	if real, err := filepath.EvalSymlinks(r.From); err == nil && filepath.ToSlash(real) == r.To {
		id = "BP-SYMLINK"
	} else if fold || strings.EqualFold(r.From, r.To) {
		id = "BP-CASE"
	}
	fd := newFinding(id,
		ev("workspace", "editor path %s", r.From),
		ev("dwarf:.debug_line", "binary path %s (%d files match by trailing path)", displayPath(r.To), votes))
	fd.Fixes = []Fix{
		{Summary: fmt.Sprintf(`launch.json: "substitutePath": [{"from": %q, "to": %q}]`, r.From, r.To)},
		{Summary: "dlvx CLI (binary path first)", Command: []string{"config", "substitute-path", r.To, r.From}},
	}
	if id == "BP-SYMLINK" {
		fd.Fixes = append([]Fix{{Summary: "open the real directory in the editor: " + r.To}}, fd.Fixes...)
	}
	return fd
}

func displayPath(p string) string {
	if p == "" {
		return "(module-relative, -trimpath)"
	}
	return p
}

// notCompiledIn lists workspace files absent from the binary although
// other files of their directory are present: build tags, _test.go files.
func notCompiledIn(wfiles, bfiles []string, rules []PathRule) (Finding, bool) {
	inBin := map[string]bool{}
	dirs := map[string]bool{}
	for _, b := range bfiles {
		inBin[b] = true
		dirs[path.Dir(b)] = true
	}
	var missing []string
	for _, w := range wfiles {
		b := applyRules(w, rules)
		if !inBin[b] && dirs[path.Dir(b)] && !strings.HasSuffix(w, "_test.go") {
			missing = append(missing, w)
		}
	}
	if len(missing) == 0 {
		return Finding{}, false
	}
	evs := []Evidence{ev("workspace", "%d files not in the binary though their directories are: %s", len(missing), listSome(missing, 5))}
	if c := buildConstraint(missing[0]); c != "" {
		evs = append(evs, ev(missing[0], "%s", c))
	}
	fd := newFinding("BP-NOTINBIN", evs...)
	fd.Severity = SevInfo // a survey, not a failed breakpoint
	fd.Title = "workspace files not compiled into this binary"
	return fd, true
}

// buildConstraint returns the //go:build line of a Go file, or "".
func buildConstraint(file string) string {
	data, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "//go:build ") {
			return l
		}
		if strings.HasPrefix(l, "package ") {
			break
		}
	}
	return ""
}

// sameCode checks a rule backed by a single file: some function the
// workspace file declares must start in the binary's file the rule maps
// it to, by Delve's function table.
func sameCode(in *Input, r PathRule, wfiles []string) bool {
	bi, err := in.Delve()
	if err != nil {
		return false
	}
	for _, w := range wfiles {
		b := applyRules(w, []PathRule{r})
		data, err := os.ReadFile(w)
		if err != nil {
			continue
		}
		names := map[string]bool{}
		for _, l := range strings.Split(string(data), "\n") {
			if m := funcDecl.FindStringSubmatch(l); m != nil && m[4] != "main" && m[4] != "init" {
				names[m[4]] = true // every program has main and init: no evidence
			}
		}
		for i := range bi.Functions {
			fn := &bi.Functions[i]
			if fn.Entry == 0 || !names[baseName(fn.Name)] {
				continue
			}
			if f, _ := bi.EntryLineForFunc(fn); f == b {
				return true
			}
		}
	}
	return false
}
