package main

import (
	"github.com/dlvx/dlvx/breakcheck"
	"github.com/go-delve/delve/pkg/proc"
)

// installNoDebugInfoWarning keeps Delve's "no debug info found" warning to
// the debugger's own load of a stripped executable: the doctor loads it
// too (before Delve, in a DAP session), and its BP-NODWARF finding says
// the same with evidence and fixes (patch 0015).
func installNoDebugInfoWarning() {
	proc.NoDebugInfoWarning = func(bi *proc.BinaryInfo, _ string) bool {
		return breakcheck.IsAnalysisLoad(bi)
	}
}
