package resolver

import (
	"fmt"
	"os"
)

// targetEnviron returns the environment block of process pid.
func targetEnviron(pid int) ([]byte, error) {
	return os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
}
