package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path"
	"strings"
)

// Lock is the parsed content of patches/delve.lock.
type Lock struct {
	Module  string   // github.com/go-delve/delve
	Version string   // v1.27.2
	ZipSum  string   // h1: sum of the module zip
	ModSum  string   // h1: sum of the module's go.mod
	Exec    []string // slash paths that are executable in Delve's repository at Version
	raw     []byte
}

// ReadLock parses a lock file: "key value" lines, '#' comments. module,
// version, zip and mod appear once each; exec may repeat, one path a line.
func ReadLock(path string) (*Lock, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read lock file: %w", err)
	}
	l := &Lock{raw: data}
	fields := map[string]*string{"module": &l.Module, "version": &l.Version, "zip": &l.ZipSum, "mod": &l.ModSum}
	seen := make(map[string]bool)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, " ")
		val = strings.TrimSpace(val)
		if key == "exec" && ok {
			if err := checkExecPath(val, seen); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, n, err)
			}
			l.Exec = append(l.Exec, val)
			continue
		}
		dst, known := fields[key]
		if !ok || !known {
			return nil, fmt.Errorf("%s:%d: want one of module, version, zip, mod, exec followed by a value, got %q", path, n, line)
		}
		*dst = val
	}
	for key, dst := range fields {
		if *dst == "" {
			return nil, fmt.Errorf("%s: missing %q line", path, key)
		}
	}
	for _, sum := range []string{l.ZipSum, l.ModSum} {
		if !strings.HasPrefix(sum, "h1:") {
			return nil, fmt.Errorf("%s: sum %q is not an h1: hash", path, sum)
		}
	}
	return l, nil
}

// checkExecPath accepts a clean relative slash path inside the tree, once.
func checkExecPath(p string, seen map[string]bool) error {
	if p == "" || path.Clean(p) != p || path.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") || strings.Contains(p, "\\") {
		return fmt.Errorf("exec path %q must be a clean slash path inside the tree", p)
	}
	if seen[p] {
		return fmt.Errorf("exec path %q listed twice", p)
	}
	seen[p] = true
	return nil
}
