//go:build unix

package main

import (
	"fmt"
	"os"
	"syscall"
)

// lockDir takes an exclusive lock next to the generated tree so that two
// runs at once (two make invocations, parallel CI steps) do not replace
// the tree under each other. The returned func releases it.
func lockDir(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(dir+"/.delvetree.lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return func() { f.Close() }, nil
}
