package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/dlvx/dlvx/corecheck"
	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/spf13/cobra"
)

// coreOptions are the flags of `dlvx doctor --core` and `--core-setup`.
type coreOptions struct {
	file  string // --core CORE
	setup bool   // --core-setup, with --pid
}

// addCoreFlags registers the core flags on the doctor command.
func addCoreFlags(cmd *cobra.Command, o *coreOptions) {
	f := cmd.Flags()
	f.StringVar(&o.file, "core", "", "check a core file (and optional BINARY) before dlvx core opens it")
	f.BoolVar(&o.setup, "core-setup", false, "with --pid: would this process leave a core if it crashed")
}

// runDoctorCore is `dlvx doctor --core CORE [BINARY]` and `dlvx doctor
// --pid PID --core-setup`. Exit status as for a binary.
func runDoctorCore(stdout, stderr io.Writer, args []string, o doctorOptions) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "dlvx doctor: %v\n", err)
		return finding.ExitFailed
	}
	policy, err := o.policy()
	if err != nil {
		return fail(err)
	}
	for _, p := range append([]string{o.core.file}, args...) {
		if _, err := os.Stat(p); p != "" && err != nil {
			return fail(err)
		}
	}
	var rep *finding.Report
	if o.core.setup {
		if o.pid == 0 {
			return fail(errors.New("--core-setup needs --pid PID"))
		}
		rep, err = corecheck.Setup(corecheck.HostSetupEnv(), o.pid, finding.Options{Severity: policy})
	} else {
		in := &corecheck.Input{CorePath: o.core.file, DebugInfoDirs: o.dirs}
		if len(args) > 0 {
			in.ExePath = args[0]
		}
		defer in.Close()
		defer lowGCTarget()()
		restore := muteDelveWarnings()
		rep, err = corecheck.Doctor(in, corecheck.CoreChecks, corecheck.Options{
			Options:      finding.Options{Severity: policy},
			BinaryChecks: finding.Select(dwarfcheck.BinaryChecks, o.only, o.skip),
		})
		restore()
	}
	if err != nil {
		return fail(err)
	}
	return writeReport(stdout, stderr, rep, o)
}

// coreDoctorGCPercent is the garbage collector's target while the core
// doctor runs. Its live heap is mostly one inflated .debug_info (10 MiB
// for gopls), bytes the collector does not scan; the line tables streamed
// past it are garbage that, at the default 100%, lets the heap double
// before a collection. At 25% the peak is 8 MiB lower (gopls: 41 to
// 33 MiB resident) for a few more collections of a small pointer graph
// (bench-core measures the CPU).
const coreDoctorGCPercent = 25

// lowGCTarget sets coreDoctorGCPercent unless GOGC says otherwise, and
// returns what restores the previous target.
func lowGCTarget() func() {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(coreDoctorGCPercent)
	return func() { debug.SetGCPercent(old) }
}
