//go:build unix

package attachcheck

import (
	"fmt"
	"os"
	"syscall"
)

// statOwner returns the uid owning path.
func statOwner(path string) (int, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return -1, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return -1, fmt.Errorf("%s: no owner in %T", path, fi.Sys())
	}
	return int(st.Uid), nil
}

// wOK is access(2)'s W_OK mode.
const wOK = 2

// writable returns why this process may not write path, or nil.
func writable(path string) error { return syscall.Access(path, wOK) }
