package resolver

import (
	"fmt"
	"strings"

	"github.com/dlvx/dlvx/finding"
	"github.com/go-delve/delve/pkg/proc"
)

// Notices are findings (catalog: finding/catalog_resolver.go) about a
// resolution that succeeded: a choice made for the user or a change made
// to the target. Each is built here, with its evidence and fixes.

// noticeCheck is the Check of every notice: the resolver produced it.
const noticeCheck = "resolver"

func notice(id string, ev ...finding.Evidence) finding.Finding {
	f := finding.New(id, ev...)
	f.Check = noticeCheck
	return f
}

// abi0Notice says that name resolved to body although ABI0 wrappers share
// its name, told apart by their symbols (bySymbol) or by their code.
func abi0Notice(name string, body *proc.Function, wrappers []*proc.Function, bySymbol bool) finding.Finding {
	at := make([]string, len(wrappers))
	for i, w := range wrappers {
		at[i] = fmt.Sprintf("%#x", w.Entry)
	}
	how := finding.Evidencef("elf:.symtab", "%s%s names the wrapper", name, abi0Suffix)
	if !bySymbol {
		how = finding.Evidencef("code", "no symbol table: the wrapper is the function that calls or jumps to the other")
	}
	f := notice("BP-FUNCNAME-ABI0",
		finding.Evidencef("delve:functions", "%s names the function at %#x and its ABI0 wrapper at %s", name, body.Entry, strings.Join(at, ", ")),
		how)
	f.Fixes = []finding.Fix{{Summary: "write " + name + abi0Suffix + "+OFFSET to break in the wrapper"}}
	return f
}

// asyncPreemptSource is where the asyncpreemptoff evidence was read.
const asyncPreemptSource = "target:" + asyncPreemptOffVar

// restartsPreempted reports whether arch restarts a preempted instruction
// sequence, so that Delve turns async preemption off there
// (pkg/proc/native's DisableAsyncPreempt on Linux).
func restartsPreempted(arch string) bool {
	switch arch {
	case "arm64", "ppc64le", "loong64":
		return true
	}
	return false
}

// reenabledNotice says that async preemption, off (was) in a target for
// arch, was turned on.
func reenabledNotice(arch string, was int64) finding.Finding {
	ev := finding.Evidencef(asyncPreemptSource, "was %d, set to 0", was)
	if !restartsPreempted(arch) {
		return notice("AP-CORRECT-REENABLED", ev)
	}
	f := notice("AP-CORRECT-DOUBLEHIT", ev, finding.Evidencef("delve:bininfo", "target architecture %s: Delve turns async preemption off", arch))
	f.Fixes = []finding.Fix{{Summary: "clear the preempt: breakpoints and restart the session: Delve turns async preemption off again"}}
	return f
}

// unreadableNotice says that asyncpreemptoff could not be read: why.
func unreadableNotice(why string) finding.Finding {
	f := notice("AP-CORRECT-UNREADABLE", finding.Evidencef(asyncPreemptSource, "%s", why))
	f.Fixes = []finding.Fix{{Summary: "rebuild with DWARF (without -ldflags=-w or -s) so that the debugger can read and set " + asyncPreemptOffVar}}
	return f
}

// godebugNotice says that the environment of process pid sets GODEBUG to
// godebug, which turns async preemption off when the runtime starts.
func godebugNotice(pid int, godebug string) finding.Finding {
	f := notice("AP-CORRECT-GODEBUG",
		finding.Evidencef(fmt.Sprintf("/proc/%d/environ", pid), "GODEBUG=%s", godebug),
		finding.Evidencef(asyncPreemptSource, "0 until the runtime starts and reads GODEBUG"))
	f.Fixes = []finding.Fix{{Summary: "start the program without asyncpreemptoff=1 in GODEBUG"}}
	return f
}

// stillOffNotice says that asyncpreemptoff, was in the target, could not
// be set to 0: err.
func stillOffNotice(was int64, err error) finding.Finding {
	f := notice("AP-CORRECT-STILL-OFF", finding.Evidencef(asyncPreemptSource, "%d; setting it to 0 failed: %v", was, err))
	f.Fixes = []finding.Fix{{Summary: "debug a live process started without GODEBUG=asyncpreemptoff=1"}}
	return f
}

// noticeKey identifies a notice for the resolver's repeat check.
func noticeKey(f finding.Finding) string {
	var b strings.Builder
	b.WriteString(f.ID)
	for _, e := range f.Evidence {
		b.WriteString("\x00" + e.Source + "\x00" + e.Fact)
	}
	return b.String()
}
