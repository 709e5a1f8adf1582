package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"

	"golang.org/x/mod/sumdb/dirhash"
)

// HashMismatchError reports a downloaded artifact whose hash differs from
// the lock file.
type HashMismatchError struct {
	What string // "module zip (as reported by go)", "module zip (re-hashed)", "go.mod"
	Path string
	Got  string
	Want string
}

func (e *HashMismatchError) Error() string {
	return fmt.Sprintf("%s %s has hash %s, but the lock file pins %s: refusing to build from it "+
		"(a tampered module cache can be cleaned with `go clean -modcache`; a new Delve version needs a new lock file)",
		e.What, e.Path, e.Got, e.Want)
}

// module is the part of `go mod download -json` output this tool uses.
type module struct {
	Zip      string
	GoMod    string
	Sum      string
	GoModSum string
	Error    string
}

// fetch downloads the locked module through the module proxy (or finds it
// in the module cache) and verifies it. It returns the path of the zip.
func fetch(l *Lock) (string, error) {
	// Run outside any module so the main module's replace directive, which
	// points at the tree being built, is not consulted.
	dir, err := os.MkdirTemp("", "delvetree-dl-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command("go", "mod", "download", "-json", l.Module+"@"+l.Version)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var m module
	if jerr := json.Unmarshal(out, &m); jerr == nil && m.Error != "" {
		return "", fmt.Errorf("go mod download %s@%s: %s", l.Module, l.Version, m.Error)
	}
	if err != nil {
		return "", fmt.Errorf("go mod download %s@%s: %w: %s", l.Module, l.Version, err, bytes.TrimSpace(stderr.Bytes()))
	}
	if err := json.Unmarshal(out, &m); err != nil {
		return "", fmt.Errorf("go mod download: unreadable output: %w", err)
	}
	if err := verify(l, &m); err != nil {
		return "", err
	}
	return m.Zip, nil
}

// verify checks the sums go reports and re-hashes the files themselves, so
// a module cache edited after download is caught too.
func verify(l *Lock, m *module) error {
	if m.Sum != l.ZipSum {
		return &HashMismatchError{"module zip (as reported by go)", m.Zip, m.Sum, l.ZipSum}
	}
	if m.GoModSum != l.ModSum {
		return &HashMismatchError{"go.mod (as reported by go)", m.GoMod, m.GoModSum, l.ModSum}
	}
	zipSum, err := dirhash.HashZip(m.Zip, dirhash.Hash1)
	if err != nil {
		return fmt.Errorf("hash module zip: %w", err)
	}
	if zipSum != l.ZipSum {
		return &HashMismatchError{"module zip (re-hashed)", m.Zip, zipSum, l.ZipSum}
	}
	modSum, err := hashGoMod(m.GoMod)
	if err != nil {
		return err
	}
	if modSum != l.ModSum {
		return &HashMismatchError{"go.mod (re-hashed)", m.GoMod, modSum, l.ModSum}
	}
	return nil
}

// hashGoMod computes the h1: sum of a go.mod file the way go.sum records it.
func hashGoMod(path string) (string, error) {
	sum, err := dirhash.Hash1([]string{"go.mod"}, func(string) (rc io.ReadCloser, err error) {
		return os.Open(path)
	})
	if err != nil {
		return "", fmt.Errorf("hash go.mod: %w", err)
	}
	return sum, nil
}
