package attachcheck

import (
	"errors"
	"syscall"
)

// hostError returns an error reading the Env's /proc as it is: on Linux
// /proc exists, and a failure is about the file.
func hostError(err error) error { return err }

// probePtrace asks for PTRACE_ATTACH on PID 0, which no process has: the
// kernel answers ESRCH before touching any process. Any other answer comes
// from a seccomp filter. A filter whose action is to kill would kill the
// debugger here, as it would at the attach itself.
func probePtrace() error {
	_, _, errno := syscall.RawSyscall6(syscall.SYS_PTRACE, syscall.PTRACE_ATTACH, 0, 0, 0, 0, 0)
	if errno == syscall.ESRCH {
		return nil
	}
	if errno == 0 {
		return errors.New("ptrace on pid 0 unexpectedly succeeded")
	}
	return errno
}
