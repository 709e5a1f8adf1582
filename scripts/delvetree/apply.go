package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// patchName is the required form of a patch file name: NNNN-slug.patch.
var patchName = regexp.MustCompile(`^[0-9]{4}-[a-z0-9][a-z0-9-]*\.patch$`)

// listPatches returns the patch files of dir in application order.
func listPatches(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read patches: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".patch") {
			continue
		}
		if !patchName.MatchString(e.Name()) {
			return nil, fmt.Errorf("patch %s: name must look like 0001-short-slug.patch", e.Name())
		}
		out = append(out, filepath.Join(dir, e.Name()))
	}
	sort.Strings(out)
	return out, nil
}

// PatchError reports a patch that does not apply exactly.
type PatchError struct {
	Patch  string
	Output string
	Err    error
}

func (e *PatchError) Error() string {
	return fmt.Sprintf("patch %s does not apply exactly to the pinned Delve (no fuzz, no offsets allowed): %s",
		filepath.Base(e.Patch), strings.TrimSpace(e.Output))
}

func (e *PatchError) Unwrap() error { return e.Err }

// applyPatch applies one patch to the tree at dir. It refuses hunks that
// need fuzz or apply at an offset: a patch must match the pinned source
// exactly, or it is stale and must be regenerated.
func applyPatch(dir, patch string) error {
	abs, err := filepath.Abs(patch)
	if err != nil {
		return err
	}
	out, err := gitApply(dir, "--check", "-v", abs)
	if err != nil {
		return &PatchError{patch, out, err}
	}
	if strings.Contains(out, "offset") || strings.Contains(out, "fuzz") {
		return &PatchError{patch, out, fmt.Errorf("inexact hunk")}
	}
	if out, err := gitApply(dir, abs); err != nil {
		return &PatchError{patch, out, err}
	}
	return nil
}

// gitApply runs git apply in dir as a plain patch tool: the ceiling stops
// git from treating an enclosing checkout as the repository.
func gitApply(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"apply", "--whitespace=nowarn"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CEILING_DIRECTORIES="+filepath.Dir(dir), "GIT_DIR=")
	var buf bytes.Buffer
	cmd.Stdout = &buf
	cmd.Stderr = &buf
	err := cmd.Run()
	return buf.String(), err
}
