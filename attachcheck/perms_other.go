//go:build !unix

package attachcheck

func statOwner(string) (int, error) { return -1, ErrUnsupported }

func writable(string) error { return ErrUnsupported }
