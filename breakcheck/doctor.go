package breakcheck

import (
	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/srcpath"
)

// Options are what `dlvx doctor BINARY` is asked besides its checks, and
// its policy.
type Options struct {
	finding.Options          // severity policy
	Breaks          []string // --break locations, in the order given
	// Toolchain is this machine's Go, for the --source toolchain rules;
	// nil means srcpath.LocalToolchain (runs "go env").
	Toolchain *srcpath.Toolchain
}

// Doctor is `dlvx doctor BINARY`: it runs checks on in, then answers the
// --source question (in.Source) and the --break questions, which load
// Delve's BinaryInfo only when asked. It installs Delve's function table
// in in (Install).
func Doctor(in *dwarfcheck.Input, checks []*dwarfcheck.Check, opt Options) (*finding.Report, error) {
	Install(in)
	if len(opt.Breaks) > 0 {
		prefetch(in)
	}
	res, err := finding.Run(in, checks, opt.Options)
	if err != nil {
		return nil, err
	}
	rep := &finding.Report{Binary: in.Path, Result: *res}
	if bi, err := in.BuildInfo(); err == nil {
		rep.GoVersion = bi.GoVersion
	}
	if in.Source != "" {
		tc := srcpath.LocalToolchain
		if opt.Toolchain != nil {
			tc = *opt.Toolchain
		}
		src, err := question("source", func() (*srcpath.SourceReport, error) { return srcpath.Source(in, tc) })
		if err != nil {
			rep.Errors = append(rep.Errors, err)
		} else {
			for i := range src.Findings {
				src.Findings[i].Check = "source"
			}
			rep.Findings = append(rep.Findings, src.Findings...)
			rep.PathRules = src.Rules
		}
	}
	if len(opt.Breaks) > 0 {
		v, err := question("break", func() ([]finding.BreakVerdict, error) { return Breaks(in, opt.Breaks, rep.PathRules) })
		if err != nil {
			rep.Errors = append(rep.Errors, err)
		}
		rep.Breaks = v
		versionCaveat(rep)
	}
	return rep, nil
}

// versionCaveat adds the Go-version finding to every binding breakpoint:
// Delve refuses such a binary at launch unless --check-go-version=false,
// so "binds" holds only with that flag.
func versionCaveat(rep *finding.Report) {
	for _, f := range rep.Findings {
		if f.ID != "ENV-VERSION-OLD" && f.ID != "ENV-VERSION-NEW" {
			continue
		}
		for i := range rep.Breaks {
			if !rep.Breaks[i].Binds {
				continue
			}
			c := f
			c.Check = "break"
			c.Evidence = append([]finding.Evidence{finding.Evidencef("dlvx", "binds only with --check-go-version=false: dlvx exec refuses this binary otherwise")}, f.Evidence...)
			rep.Breaks[i].Findings = append(rep.Breaks[i].Findings, c)
		}
	}
}

// question runs one of the doctor's questions, turning its error, or a
// panic (a *finding.PanicError), into a CheckError named after it.
func question[T any](name string, f func() (T, error)) (T, *finding.CheckError) {
	v, err := finding.Guard(f)
	if err != nil {
		return v, &finding.CheckError{Check: name, Err: err}
	}
	return v, nil
}
