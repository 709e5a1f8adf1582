package corecheck

import (
	"github.com/dlvx/dlvx/breakcheck"
	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
)

// Options are what `dlvx doctor --core` runs besides the core checks.
type Options struct {
	finding.Options
	// BinaryChecks run on the executable once it is known to be an ELF
	// file; nil runs none.
	BinaryChecks []*dwarfcheck.Check
}

// Doctor is `dlvx doctor --core CORE [BINARY]`: the core checks in causal
// order, then the binary checks on the executable they resolved. The
// report's Binary is the core; its GoVersion the executable's.
func Doctor(in *Input, checks []*Check, opt Options) (*finding.Report, error) {
	res, err := finding.Run(in, checks, opt.Options)
	if err != nil {
		return nil, err
	}
	rep := &finding.Report{Binary: in.CorePath, Result: *res}
	if in.bin == nil || len(opt.BinaryChecks) == 0 {
		return rep, nil
	}
	b := in.binary()
	breakcheck.Install(b)
	bres, err := finding.Run(b, opt.BinaryChecks, opt.Options)
	if err != nil {
		return nil, err
	}
	rep.Findings = append(rep.Findings, bres.Findings...)
	rep.Errors = append(rep.Errors, bres.Errors...)
	rep.Passed = append(rep.Passed, bres.Passed...)
	rep.Skipped = append(rep.Skipped, bres.Skipped...)
	if bi, err := b.BuildInfo(); err == nil {
		rep.GoVersion = bi.GoVersion
	}
	return rep, nil
}
