//go:build !linux

package attachcheck

import "errors"

// ErrUnsupported is returned by host probes on systems other than Linux.
var ErrUnsupported = errors.New("attach preflight: unsupported on this system")

func probePtrace() error { return ErrUnsupported }
