//go:build !linux

package resolver

import (
	"errors"
	"fmt"
	"runtime"
)

// targetEnviron is only implemented on Linux.
func targetEnviron(int) ([]byte, error) {
	return nil, fmt.Errorf("read a process environment on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
