package dap

import (
	"runtime"
	"strings"
)

// checkNoRelayLeft fails if a relay goroutine of this package outlived the
// tests: every test waits for its sessions to end.
func checkNoRelayLeft() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "dlvx/service/dap.(*session)") {
			return g
		}
	}
	return ""
}
