package main

import (
	"fmt"
	"io"

	"github.com/dlvx/dlvx/attachcheck"
	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
)

// runDoctorPID is `dlvx doctor --pid PID [EXECUTABLE]`: the attach
// preflight on a running process, in causal order, then every binary
// check on its executable (EXECUTABLE when given, else /proc/PID/exe). It
// reads /proc and the executable only: the process is never stopped or
// signalled. It renders and exits like a binary's report: 0 clean, 1 an
// error-level finding, 2 the doctor failed.
func runDoctorPID(stdout, stderr io.Writer, pid int, args []string, o doctorOptions) int {
	policy, err := o.policy()
	if err == nil {
		err = knownChecks(notAttachChecks(append(o.only, o.skip...)))
	}
	if err != nil {
		fmt.Fprintf(stderr, "dlvx doctor: %v\n", err)
		return finding.ExitFailed
	}
	exe := ""
	if len(args) > 0 {
		exe = args[0]
	}
	restore := muteDelveWarnings()
	rep, _, err := attachcheck.Diagnose(attachcheck.Host(), pid, attachcheck.Options{
		Exe:              exe,
		BinaryChecks:     finding.Select(dwarfcheck.BinaryChecks, o.only, o.skip),
		Only:             o.only,
		Skip:             o.skip,
		DebugInfoDirs:    o.dirs,
		SeverityOverride: policy,
	})
	restore()
	if err != nil {
		fmt.Fprintf(stderr, "dlvx doctor: %v\n", err)
		return finding.ExitFailed
	}
	rep.Findings = append(rep.Findings, leftoverFindings(pid)...)
	return writeReport(stdout, stderr, rep, o)
}

// notAttachChecks returns the names that are not attach checks, for the
// binary doctor's validation of --only and --skip.
func notAttachChecks(names []string) []string {
	attach := map[string]bool{}
	for _, n := range attachcheck.CheckNames() {
		attach[n] = true
	}
	var out []string
	for _, n := range names {
		if !attach[n] {
			out = append(out, n)
		}
	}
	return out
}
