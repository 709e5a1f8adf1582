package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Module zips carry no file modes, so every extracted file is 0644. The
// lock file lists, by "exec PATH" lines, the files Delve's repository marks
// executable at the pinned version (its fixture scripts among them: Delve's
// tests run them), and setExecModes restores exactly those. The list is
// read from Delve's git tree (`git ls-tree -r TAG | grep ^100755`), never
// guessed from a file's name or content.

// MissingExecError reports an exec path of the lock file that the module
// does not hold: the list belongs to another version, or has a typo.
type MissingExecError struct {
	Path string
	Err  error
}

func (e *MissingExecError) Error() string {
	return fmt.Sprintf("lock file marks %s executable, but the module has no such regular file: %v", e.Path, e.Err)
}

func (e *MissingExecError) Unwrap() error { return e.Err }

// setExecModes makes each listed path of the tree at dir 0755.
func setExecModes(dir string, paths []string) error {
	for _, p := range paths {
		full := filepath.Join(dir, filepath.FromSlash(p))
		info, err := os.Lstat(full)
		if err == nil && !info.Mode().IsRegular() {
			err = fmt.Errorf("%s is a %v", p, info.Mode().Type())
		}
		if err != nil {
			return &MissingExecError{p, err}
		}
		if err := os.Chmod(full, 0o755); err != nil {
			return fmt.Errorf("restore the mode of %s: %w", p, err)
		}
	}
	return nil
}

// fileMode is the mode the stamp records for a file, as ls shows it
// ("-rw-r--r--"): a chmod or a file replaced by a symlink is a hand edit.
func fileMode(d fs.DirEntry) (string, error) {
	info, err := d.Info()
	if err != nil {
		return "", err
	}
	return info.Mode().String(), nil
}
