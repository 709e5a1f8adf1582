package launchcheck

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/srcpath"
)

// A ruleVerdict is what one substitutePath rule does to the workspace.
type ruleVerdict struct {
	rule     srcpath.PathRule
	mapped   int // workspace files it maps onto files of the binary
	toFiles  int // binary files under its "to"
	reversed int // workspace files the swapped rule would map
	local    int // binary files under "to" that exist under "from" here (toolchain, module cache rules)
}

// judgeRules compares the configured rules with the rule the binary's
// file table calls for. ws is the workspace folder, wfiles its .go files,
// bfiles the binary's (or the remote server's) source files, where the
// evidence that names them.
func judgeRules(file string, l *Launch, ws string, wfiles, bfiles []string, where string) ([]finding.Finding, *srcpath.PathRule) {
	needed, votes := srcpath.Corrected(ws, wfiles, bfiles)
	if votes == 0 || !strings.HasPrefix(needed.To, "/") {
		return nil, nil // no workspace file in the binary, or -trimpath (ENV-IDECONF-TRIMPATH, BP-TRIMPATH speak)
	}
	inBin := map[string]bool{}
	for _, b := range bfiles {
		inBin[b] = true
	}
	var verdicts []ruleVerdict
	for _, r := range l.SubstitutePath {
		verdicts = append(verdicts, judgeRule(r, wfiles, bfiles, inBin))
	}
	mapped := 0
	for _, w := range wfiles {
		if inBin[srcpath.Apply(w, l.SubstitutePath)] {
			mapped++
		}
	}
	binEv := finding.Evidencef(where, "%d workspace files are in the binary under %s", votes, displayRoot(needed.To))
	if mapped >= votes {
		return nil, nil
	}
	at := l.At(file, "substitutePath")
	corrected := needed
	if needed.From == ws {
		corrected.From = "${workspaceFolder}"
	}
	for _, v := range verdicts {
		if v.mapped == 0 && v.reversed > 0 {
			fd := finding.New("ENV-IDECONF-SUBPATH-REVERSED",
				finding.Evidencef(at, `%s: {"from": %q, "to": %q}`, l.Cfg.Label(), v.rule.From, v.rule.To),
				finding.Evidencef("workspace", `"to" is the editor's side: swapped, the rule maps %d workspace files onto the binary's`, v.reversed), binEv)
			fd.Fixes = srcpath.RuleFixes(corrected)
			return []finding.Finding{fd}, &corrected
		}
	}
	id := "ENV-IDECONF-SUBPATH"
	switch {
	case needed.From == needed.To:
		id = "ENV-IDECONF-SUBPATH-NEEDLESS"
	case len(l.SubstitutePath) == 0:
		id = "ENV-IDECONF-SUBPATH-MISSING"
	}
	fd := finding.New(id, binEv)
	if needed.From == needed.To {
		fd.Evidence = append(fd.Evidence, finding.Evidencef(where, "the binary records the workspace's own paths: no rule is needed"))
	}
	for _, v := range verdicts {
		if v.mapped == 0 && v.local == 0 {
			fd.Evidence = append(fd.Evidence, finding.Evidencef(at, `%s: {"from": %q, "to": %q}: maps no workspace file onto the binary; "to" prefixes %d of its files%s`,
				l.Cfg.Label(), v.rule.From, v.rule.To, v.toFiles, fromNote(v.rule.From, ws)))
		}
	}
	if needed.From == needed.To {
		fd.Fixes = []finding.Fix{{Summary: `remove the rules that rewrite the workspace's paths from "substitutePath"`}}
		return []finding.Finding{fd}, nil
	}
	fd.Fixes = srcpath.RuleFixes(corrected)
	return []finding.Finding{fd}, &corrected
}

func judgeRule(r srcpath.PathRule, wfiles, bfiles []string, inBin map[string]bool) ruleVerdict {
	v := ruleVerdict{rule: r}
	rules := []srcpath.PathRule{r}
	swapped := []srcpath.PathRule{{From: r.To, To: r.From}}
	for _, w := range wfiles {
		if got := srcpath.Apply(w, rules); got != w && inBin[got] {
			v.mapped++
		}
		if got := srcpath.Apply(w, swapped); got != w && inBin[got] {
			v.reversed++
		}
	}
	for _, b := range bfiles {
		if rest, ok := strings.CutPrefix(b, r.To+"/"); ok {
			v.toFiles++
			if v.local == 0 {
				if _, err := os.Stat(path.Join(r.From, rest)); err == nil {
					v.local++
				}
			}
		}
	}
	return v
}

func fromNote(from, ws string) string {
	if from == ws || strings.HasPrefix(from, ws+"/") || strings.HasPrefix(ws, from+"/") {
		return ""
	}
	return fmt.Sprintf(`; "from" is not the workspace folder %s nor under it`, ws)
}

func displayRoot(p string) string {
	if p == "" {
		return "module-relative paths (-trimpath)"
	}
	return p
}

// checkSubstitutePath judges the substitutePath rules against the files of
// the binary the configuration debugs: the debug build, the exec or core
// target, or the remote server's binary.
func checkSubstitutePath(t *Target) ([]finding.Finding, error) {
	l := t.L
	ws := t.Opt.Vars.WorkspaceFolder
	if ws == "" || len(l.Missing["substitutePath"]) > 0 {
		return nil, nil
	}
	var bfiles []string
	where := ""
	if r := t.remote; r != nil && r.Sources != nil {
		bfiles, where = r.Sources, "rpc:"+r.Addr+" ListSources"
	} else {
		bin, err := t.Binary()
		if errors.Is(err, ErrNotBuilt) || bin == nil {
			return nil, nil
		}
		files, err := bin.in.Files()
		if errors.Is(err, dwarfcheck.ErrNoDWARF) {
			return nil, nil // ENV-IDECONF-STRIP or BP-NODWARF already speaks
		} else if err != nil {
			return nil, err
		}
		bfiles, where = files, "dwarf:.debug_line of "+bin.in.Path
	}
	wsSlash := filepath.ToSlash(filepath.Clean(ws))
	wfiles, err := srcpath.WorkspaceFiles(wsSlash)
	if err != nil {
		return nil, err
	}
	fs, rule := judgeRules(t.File, l, wsSlash, wfiles, bfiles, where)
	t.corrected = rule
	return fs, nil
}
