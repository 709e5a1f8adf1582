package dwarfcheck

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dlvx/dlvx/finding"
)

// Stale reports a binary built from another commit, from a modified
// checkout, or older than the source files compiled into it.
var Stale = &Check{
	Name:     "stale",
	Doc:      "compare the binary with its sources\n\nReads vcs.revision and vcs.modified from the Go build information and, with --source, the commit checked out there; compares the binary's mtime with the mtime of every source file of the main module that exists on this machine.",
	Requires: []*Check{BuildInfoPresent},
	Run:      stale,
}

func stale(in *Input) ([]finding.Finding, error) {
	bi, _ := in.BuildInfo()
	var fs []finding.Finding
	rev, hasRev := Setting(bi, "vcs.revision")
	if v, _ := Setting(bi, "vcs.modified"); v == "true" {
		fs = append(fs, finding.New("BP-STALE-MODIFIED", finding.Evidencef("buildinfo", "vcs.modified=true (vcs.revision=%s)", rev)))
	}
	if hasRev && in.Source != "" && in.GitHead != nil {
		head, _, err := in.GitHead(in.Source)
		if err == nil && head != "" && head != rev {
			fd := finding.New("BP-STALE-REVISION", finding.Evidencef("buildinfo", "vcs.revision=%s", rev), finding.Evidencef("git:"+in.Source, "HEAD is %s", head))
			fd.Fixes = []finding.Fix{finding.RebuildFix("rebuild from the checked-out commit", finding.Build{})}
			fs = append(fs, fd)
		}
	}
	if fd, ok := newerSources(in); ok {
		fs = append(fs, fd)
	}
	return fs, nil
}

// newerSources compares the binary's mtime with the user source files the
// line tables name (main module only: not GOROOT, not the module cache).
func newerSources(in *Input) (finding.Finding, bool) {
	files, err := in.Files()
	if err != nil {
		return finding.Finding{}, false
	}
	built := in.ModTime()
	if built.IsZero() {
		return finding.Finding{}, false
	}
	type newer struct {
		path string
		mod  time.Time
	}
	var found []newer
	for _, f := range files {
		if !filepath.IsAbs(f) || !strings.HasSuffix(f, ".go") || IsToolchainOrCache(f) {
			continue
		}
		st, err := os.Stat(f)
		if err == nil && st.ModTime().After(built) {
			found = append(found, newer{f, st.ModTime()})
		}
	}
	if len(found) == 0 {
		return finding.Finding{}, false
	}
	sort.Slice(found, func(i, j int) bool { return found[i].mod.After(found[j].mod) })
	fd := finding.New("BP-STALE-MTIME",
		finding.Evidencef("filesystem", "binary modified %s", built.UTC().Format(time.RFC3339)),
		finding.Evidencef("filesystem", "%d source files are newer; newest %s at %s", len(found), found[0].path, found[0].mod.UTC().Format(time.RFC3339)))
	fd.Fixes = []finding.Fix{finding.RebuildFix("rebuild", finding.Build{})}
	return fd, true
}

// IsToolchainOrCache reports files of GOROOT or the module cache, whose
// mtimes say nothing about the user's edits.
func IsToolchainOrCache(f string) bool {
	return strings.Contains(f, "/pkg/mod/") || strings.Contains(f, "/go/src/runtime/") ||
		strings.Contains(f, "/toolchain@") || strings.Contains(f, "/libexec/src/") ||
		strings.Contains(f, "/goroot/src/") || strings.HasPrefix(f, "/usr/local/go/") || strings.HasPrefix(f, "/usr/lib/go")
}

// gitHead returns the commit checked out in dir and whether the work tree
// has changes. It runs git read-only.
func gitHead(dir string) (string, bool, error) {
	cmd := exec.Command("git", "-C", dir, "rev-parse", "HEAD")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", false, fmt.Errorf("git rev-parse in %s: %w: %s", dir, err, strings.TrimSpace(errb.String()))
	}
	st := exec.Command("git", "-C", dir, "status", "--porcelain", "--untracked-files=no")
	res, err := st.Output()
	if err != nil {
		return strings.TrimSpace(out.String()), false, nil
	}
	return strings.TrimSpace(out.String()), len(bytes.TrimSpace(res)) > 0, nil
}
