package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// history is a git repository, kept outside the tree it describes, holding
// the pristine Delve tree and one commit per patch. A tree without patch N
// is the last commit with N's changes reversed by a three-way merge, which
// keeps the later patches as they are even where their context includes
// N's lines (applying them to a tree without N would refuse them).
type history struct {
	gitDir, tree string
	commits      map[string]string // patch name → commit
	full         string            // every patch applied
}

// newHistory generates the pristine tree at tree (through delvetree, so the
// lock file's hashes and file modes apply) and commits each patch on it.
func newHistory(root, work string, patches []*Patch) (*history, error) {
	h := &history{gitDir: filepath.Join(work, "git"), tree: filepath.Join(work, "delve"), commits: map[string]string{}}
	empty := filepath.Join(work, "no-patches")
	if err := os.MkdirAll(empty, 0o755); err != nil {
		return nil, err
	}
	rel := func(p string) string { r, _ := filepath.Rel(root, p); return r }
	gen := exec.Command("go", "run", "./delvetree", "-root", root, "-patches", rel(empty), "-out", rel(h.tree))
	gen.Dir = filepath.Join(root, "scripts")
	if out, err := gen.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("generate the pristine tree: %v\n%s", err, out)
	}
	if err := os.RemoveAll(h.gitDir); err != nil {
		return nil, err
	}
	if _, err := h.git("init", "-q"); err != nil {
		return nil, err
	}
	pristine, err := h.commitAll("pristine " + delveModule)
	if err != nil {
		return nil, err
	}
	h.full = pristine
	for _, p := range patches {
		abs, _ := filepath.Abs(p.Path)
		if _, err := h.git("apply", "--whitespace=nowarn", abs); err != nil {
			return nil, fmt.Errorf("apply %s: %w", p.Name, err)
		}
		c, err := h.commitAll(p.Name)
		if err != nil {
			return nil, err
		}
		h.commits[p.Name] = c
		h.full = c
	}
	return h, nil
}

// without turns the tree into every patch but p. p's _test.go files stay
// as the full set has them, so a Delve test the patch adds still runs and
// must fail against Delve's code without the patch.
func (h *history) without(p *Patch) error {
	if _, err := h.git("reset", "-q", "--hard", h.full); err != nil {
		return err
	}
	if _, err := h.git("clean", "-fdq"); err != nil {
		return err
	}
	c := h.commits[p.Name]
	diff, err := h.git("diff", "--full-index", "--binary", c+"^", c, "--", ".", ":(exclude)*_test.go")
	if err != nil {
		return err
	}
	if diff == "" {
		return fmt.Errorf("%s changes only _test.go files", p.Name)
	}
	file := filepath.Join(filepath.Dir(h.gitDir), "reverse.patch")
	if err := os.WriteFile(file, []byte(diff), 0o644); err != nil {
		return err
	}
	if out, err := h.git("apply", "-R", "--3way", file); err != nil {
		return fmt.Errorf("%s cannot be removed alone: the later patches depend on its lines: %w\n%s", p.Name, err, out)
	}
	return nil
}

func (h *history) commitAll(msg string) (string, error) {
	if _, err := h.git("add", "-A"); err != nil {
		return "", err
	}
	if _, err := h.git("commit", "-q", "--allow-empty", "-m", msg); err != nil {
		return "", err
	}
	out, err := h.git("rev-parse", "HEAD")
	return strings.TrimSpace(out), err
}

// git runs git on the history with no user or system configuration.
func (h *history) git(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = h.tree
	cmd.Env = append(os.Environ(), "GIT_DIR="+h.gitDir, "GIT_WORK_TREE="+h.tree,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=patch-check", "GIT_AUTHOR_EMAIL=patch-check@localhost",
		"GIT_COMMITTER_NAME=patch-check", "GIT_COMMITTER_EMAIL=patch-check@localhost")
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Run(); err != nil {
		return buf.String(), fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(buf.String()))
	}
	return buf.String(), nil
}

// writeModFile writes work/go.mod, the repository's go.mod with Delve
// replaced by dir, and the go.sum beside it that -modfile reads.
func writeModFile(root, work, dir string) (string, error) {
	mod := filepath.Join(work, "go.mod")
	for _, name := range []string{"go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(work, name), data, 0o644); err != nil {
			return "", err
		}
	}
	cmd := exec.Command("go", "mod", "edit", "-modfile="+mod, "-replace="+delveModule+"="+dir)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go mod edit: %v\n%s", err, out)
	}
	return mod, nil
}
