package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/textguard"
)

// leftoverCheck names the doctor --pid check that compares the text.
const leftoverCheck = "text-leftovers"

// leftoverFindings compares pid's text with its files (reading /proc only:
// the process runs on) and returns a finding per breakpoint instruction
// left there, with who likely wrote it, and one per mapping that differs
// in other ways. A scan that cannot run is reported as no finding: the
// rest of the report stands.
func leftoverFindings(pid int) []finding.Finding {
	scan, err := textguard.ScanText(pid)
	if err != nil {
		return nil
	}
	var journal *textguard.Journal
	if id, err := textguard.ReadIdentity(pid); err == nil {
		journal, _ = textguard.FindJournal(id)
	}
	var out []finding.Finding
	for _, l := range scan.Leftovers {
		f := finding.New("AT-LEFTOVER-BP",
			finding.Evidence{Source: "proc:mem", Offset: -1, Fact: leftoverFact(l)},
			finding.Evidence{Source: "writer", Offset: -1, Fact: writerOf(l, journal)})
		f.Check = leftoverCheck
		f.Fixes = []finding.Fix{{Summary: "restore the executable's bytes", Command: []string{"dlvx", "repair", strconv.Itoa(pid)}}}
		out = append(out, f)
	}
	for _, path := range scan.Mismatch {
		f := finding.New("AT-TEXT-MISMATCH",
			finding.Evidence{Source: "proc:maps", Offset: -1, Fact: path + ": the mapped bytes differ from the file in more than breakpoint instructions"})
		f.Check = leftoverCheck
		out = append(out, f)
	}
	return out
}

// leftoverFact says where a leftover is and what it replaced.
func leftoverFact(l textguard.Leftover) string {
	where := l.Func
	if where == "" {
		where = "an unknown function"
	}
	if l.Line != "" {
		where += " (" + l.Line + ")"
	}
	return fmt.Sprintf("%#x in %s of %s: % x where the file has % x", l.Addr, where, l.File, l.Instr, l.Original)
}

// writerOf says who likely wrote a leftover: a dlvx session whose journal
// lists it, or a debugger that keeps no journal.
func writerOf(l textguard.Leftover, j *textguard.Journal) string {
	if j != nil {
		for _, e := range j.Entries {
			if e.Addr == l.Addr {
				state := "exited"
				if _, err := textguard.ReadIdentity(j.Debugger); err == nil {
					state = "still running"
				}
				return fmt.Sprintf("a dlvx session (debugger pid %d, %s): its journal %s lists this address", j.Debugger, state, textguard.Path(j.Target))
			}
		}
	}
	return "no dlvx journal lists it: another debugger (upstream dlv, gdb) that died or was killed while attached"
}

// joinLines indents lines for a command's output.
func joinLines(lines []string) string { return "  " + strings.Join(lines, "\n  ") }
