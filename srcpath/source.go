package srcpath

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
)

// A PathRule maps an editor path prefix to the prefix the binary records,
// in DAP orientation: From is the editor's (local) path, To the binary's.
// Delve's CLI `config substitute-path` takes them the other way round.
// It is the one rule type of dlvx: the doctor proposes rules, the DAP
// layer reads the client's substitutePath into it. (The type is declared
// in package finding because a finding.Report carries it.)
type PathRule = finding.PathRule

// Apply rewrites an editor path to the binary's path with the first
// matching rule.
func Apply(file string, rules []PathRule) string {
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

// WorkspaceFiles lists the .go files under dir, skipping VCS, vendor and
// testdata directories.
// A symlinked dir is walked through its target, but the names returned
// keep the dir prefix, as an editor that opened dir would send them.
func WorkspaceFiles(dir string) ([]string, error) {
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
func binarySources(in *dwarfcheck.Input) ([]string, error) {
	files, err := in.Files()
	if err == nil || in.Funcs == nil {
		return files, err
	}
	return in.Funcs.Sources()
}

// CommonSuffix returns how many trailing path elements a and b share.
func CommonSuffix(a, b string, fold bool) int {
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

// TrimElems removes the last n path elements of p.
func TrimElems(p string, n int) string {
	parts := strings.Split(p, "/")
	if n >= len(parts) {
		return ""
	}
	return strings.Join(parts[:len(parts)-n], "/")
}

// Infer votes for the rule mapping the workspace root to the binary's
// directory for it: each binary file whose trailing path equals a
// workspace file's path relative to root votes for the prefix before it.
// fold compares path elements case-insensitively.
func Infer(root string, ws, bin []string, fold bool) (PathRule, int) {
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
		if !strings.HasSuffix(b, ".go") || dwarfcheck.IsToolchainOrCache(b) {
			continue
		}
		// The workspace file with the longest relative path b ends with:
		// util/main.go, not main.go, for a binary's .../util/main.go.
		best := 0
		for _, w := range byBase[key(b)] {
			rel := strings.TrimPrefix(w, root+"/")
			n := strings.Count(rel, "/") + 1
			if n > best && CommonSuffix(w, b, fold) >= n {
				best = n
			}
		}
		if best > 0 {
			votes[TrimElems(b, best)]++
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
	Findings []finding.Finding
	Rules    []PathRule // empty when the editor's paths already match
}

// Source compares the binary's file table with the workspace in.Source and
// returns the substitutePath rules an editor needs, and findings that tell
// a path mismatch from a symlinked or case-differing workspace and from
// files that are simply not compiled into this binary. tc gives this
// machine's GOROOT and module cache, for the toolchain rules.
func Source(in *dwarfcheck.Input, tc Toolchain) (*SourceReport, error) {
	if in.Source == "" {
		return &SourceReport{}, nil
	}
	ws, err := filepath.Abs(in.Source)
	if err != nil {
		return nil, fmt.Errorf("workspace %s: %w", in.Source, err)
	}
	ws = filepath.ToSlash(filepath.Clean(ws))
	wfiles, err := WorkspaceFiles(ws)
	if err != nil {
		return nil, err
	}
	bfiles, err := binarySources(in)
	if err != nil {
		return nil, err
	}
	rep := &SourceReport{}
	rule, n := Infer(ws, wfiles, bfiles, false)
	fold := false
	if n == 0 {
		rule, n = Infer(ws, wfiles, bfiles, true)
		fold = n > 0
	}
	if n == 1 && rule.From != rule.To && path.Base(rule.From) != path.Base(rule.To) && !sameCode(in, rule, wfiles) && !sameModule(in, ws) {
		n = 0 // one file with a common name (main.go) in another directory is no evidence of a move
	}
	if n == 0 {
		rep.Findings = append(rep.Findings, finding.New("BP-NOTINBIN-WORKSPACE",
			finding.Evidencef("workspace", "%d .go files under %s", len(wfiles), ws),
			finding.Evidencef("dwarf:.debug_line", "none of them is in the binary's %d files, under any directory", len(bfiles))))
		return rep, nil
	}
	if rule.From != rule.To {
		rep.Rules = []PathRule{rule}
		rep.Findings = append(rep.Findings, pathFinding(ws, rule, n, fold))
	}
	if fd, ok := notCompiledIn(wfiles, bfiles, rep.Rules); ok {
		rep.Findings = append(rep.Findings, fd)
	}
	rules, fs := toolchainRules(in, tc, bfiles)
	rep.Rules = append(rep.Rules, rules...)
	rep.Findings = append(rep.Findings, fs...)
	return rep, nil
}

// pathFinding classifies a needed rule: symlink, letter case, or another
// location, and gives the launch.json and CLI forms of the rule.
func pathFinding(ws string, r PathRule, votes int, fold bool) finding.Finding {
	id := "BP-PATH"
	if real, err := filepath.EvalSymlinks(r.From); err == nil && filepath.ToSlash(real) == r.To {
		id = "BP-SYMLINK"
	} else if fold || strings.EqualFold(r.From, r.To) {
		id = "BP-CASE"
	}
	fd := finding.New(id,
		finding.Evidencef("workspace", "editor path %s", r.From),
		finding.Evidencef("dwarf:.debug_line", "binary path %s (%d files match by trailing path)", displayPath(r.To), votes))
	fd.Fixes = RuleFixes(r)
	if id == "BP-SYMLINK" {
		fd.Fixes = append([]finding.Fix{{Summary: "open the real directory in the editor: " + r.To}}, fd.Fixes...)
	}
	return fd
}

// RuleFixes gives a rule in the two forms a user applies it: a
// launch.json substitutePath entry and the dlvx CLI command.
func RuleFixes(r PathRule) []finding.Fix {
	return []finding.Fix{
		{Summary: fmt.Sprintf(`launch.json: "substitutePath": [{"from": %q, "to": %q}]`, r.From, r.To)},
		{Summary: "dlvx CLI (binary path first)", Command: []string{"config", "substitute-path", r.To, r.From}, CLIOnly: true},
	}
}

func displayPath(p string) string {
	if p == "" {
		return "(module-relative, -trimpath)"
	}
	return p
}

// notCompiledIn lists workspace files absent from the binary although
// other files of their directory are present: build tags, _test.go files.
func notCompiledIn(wfiles, bfiles []string, rules []PathRule) (finding.Finding, bool) {
	inBin := map[string]bool{}
	dirs := map[string]bool{}
	for _, b := range bfiles {
		inBin[b] = true
		dirs[path.Dir(b)] = true
	}
	var missing []string
	for _, w := range wfiles {
		b := Apply(w, rules)
		if !inBin[b] && dirs[path.Dir(b)] && !strings.HasSuffix(w, "_test.go") {
			missing = append(missing, w)
		}
	}
	if len(missing) == 0 {
		return finding.Finding{}, false
	}
	evs := []finding.Evidence{finding.Evidencef("workspace", "%d files not in the binary though their directories are: %s", len(missing), finding.ListSome(missing, 5))}
	if c := BuildConstraint(missing[0]); c != "" {
		evs = append(evs, finding.Evidencef(missing[0], "%s", c))
	}
	return finding.New("BP-NOTINBIN-FILES", evs...), true
}

// BuildConstraint returns the //go:build line of a Go file, or "".
func BuildConstraint(file string) string {
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
// it to, by Delve's function table (false without one).
func sameCode(in *dwarfcheck.Input, r PathRule, wfiles []string) bool {
	if in.Funcs == nil {
		return false
	}
	for _, w := range wfiles {
		data, err := os.ReadFile(w)
		if err != nil {
			continue
		}
		names := map[string]bool{}
		for _, l := range strings.Split(string(data), "\n") {
			if _, name, ok := DeclaredFunc(l); ok && name != "main" && name != "init" {
				names[name] = true // every program has main and init: no evidence
			}
		}
		if in.Funcs.FuncStartsIn(Apply(w, []PathRule{r}), names) {
			return true
		}
	}
	return false
}

// funcDecl matches a top-level function or method declaration line:
// group 2 is the receiver type (with any *), group 3 its type parameters,
// group 4 the function's name.
var funcDecl = regexp.MustCompile(`^func (\(\s*\w*\s*(\*?\w+)(\[[^\]]*\])?\s*\)\s*)?(\w+)\s*[\[(]`)

// DeclaredFunc parses a top-level function or method declaration line of
// a Go file: the receiver type ("T", "*T", "" for a function) and the
// name; ok is false for any other line.
func DeclaredFunc(line string) (recv, name string, ok bool) {
	m := funcDecl.FindStringSubmatch(line)
	if m == nil {
		return "", "", false
	}
	return m[2], m[4], true
}

// sameModule reports whether the workspace ws is the binary's main module:
// its go.mod declares the module path the build information records. A
// workspace directory need not be named like its module (a checkout in
// src/), so this, not the directory's name, backs a rule resting on one file.
func sameModule(in *dwarfcheck.Input, ws string) bool {
	bi, err := in.BuildInfo()
	if err != nil || bi.Main.Path == "" {
		return false
	}
	return ModulePath(filepath.Join(ws, "go.mod")) == bi.Main.Path
}

// ModulePath returns the module path a go.mod file declares, or "".
func ModulePath(gomod string) string {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "module"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}
