package dwarfcheck

import (
	"errors"
	"path/filepath"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/preempt"
)

// AsyncPreemptControl reports binaries for architectures where Delve turns
// async preemption off (its restarted instruction sequences make a
// breakpoint look hit twice) but cannot, because the binary has no DWARF
// to find runtime.debug.asyncpreemptoff with.
var AsyncPreemptControl = &Check{
	Name:     "async-preempt-control",
	Doc:      "report arm64, ppc64le and loong64 binaries where Delve cannot turn async preemption off\n\nDelve sets runtime.debug.asyncpreemptoff on these architectures, found through DWARF; without DWARF breakpoints can be reported twice.",
	Requires: []*Check{DWARFPresent},
	Run:      asyncPreemptControl,
}

func asyncPreemptControl(in *Input) ([]finding.Finding, error) {
	f, _ := in.ELF()
	arch := preempt.GOARCH(&f.FileHeader)
	if !preempt.DelveTurnsOff(arch) {
		return nil, nil
	}
	if _, err := in.DWARF(); !errors.Is(err, ErrNoDWARF) {
		return nil, nil // DWARF present (or damaged: BP-ZDEBUG and friends speak)
	}
	fd := finding.New("AP-CORRECT",
		finding.EvidenceAt("elf:header", ehdrMachine, "e_machine %v (%s): Delve turns async preemption off here", f.Machine, arch),
		finding.EvidenceAt("elf:section-headers", shoff(in), "no DWARF: runtime.debug.asyncpreemptoff cannot be found"),
	)
	fd.Fixes = []finding.Fix{
		finding.RebuildFix("rebuild with DWARF", finding.Build{}),
		{Summary: "or turn async preemption off in the program's environment", Command: []string{"env", "GODEBUG=asyncpreemptoff=1", "./" + filepath.Base(in.Path)}},
	}
	return []finding.Finding{fd}, nil
}
