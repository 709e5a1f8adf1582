package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// Lock is the parsed content of patches/delve.lock.
type Lock struct {
	Module  string // github.com/go-delve/delve
	Version string // v1.27.2
	ZipSum  string // h1: sum of the module zip
	ModSum  string // h1: sum of the module's go.mod
	raw     []byte
}

// ReadLock parses a lock file: "key value" lines, '#' comments.
func ReadLock(path string) (*Lock, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read lock file: %w", err)
	}
	l := &Lock{raw: data}
	fields := map[string]*string{"module": &l.Module, "version": &l.Version, "zip": &l.ZipSum, "mod": &l.ModSum}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, " ")
		dst, known := fields[key]
		if !ok || !known {
			return nil, fmt.Errorf("%s:%d: want one of module, version, zip, mod followed by a value, got %q", path, n, line)
		}
		*dst = strings.TrimSpace(val)
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
