//go:build !linux

package attachcheck

import "fmt"

// hostError marks a failure to read /proc as ErrUnsupported.
func hostError(err error) error { return fmt.Errorf("%w: %w", ErrUnsupported, err) }

func probePtrace() error { return ErrUnsupported }
