//go:build !(linux && amd64)

package preempttrace

import "errors"

// ErrEBPFUnsupported is returned by EBPF off linux/amd64.
var ErrEBPFUnsupported = errors.New("--ebpf tracing of dlvx locations needs linux/amd64")

// EBPF is not available on this platform.
func EBPF(Options) (*Summary, error) { return nil, ErrEBPFUnsupported }
