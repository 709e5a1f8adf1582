package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dlvx/dlvx/breakcheck"
	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/finding/report"
	"github.com/spf13/cobra"
)

// doctorOptions are the doctor command's flags.
type doctorOptions struct {
	source  string
	breaks  []string
	json    bool
	sarif   bool
	explain string
	verbose bool
	only    []string
	skip    []string
	dirs    []string
	pid     int
	sev     map[string]string
	launch  launchOptions
	core    coreOptions
}

const doctorLong = `Reads a Go executable, without running it, and explains why breakpoints or
variables will fail when it is debugged, with the evidence read and fixes to copy.
With --pid, first checks whether dlvx can attach to that process.

  --source DIR   compare the binary's file table with the editor's workspace:
                 prints substitutePath rules (from = editor path, to = binary path)
  --break LOC    will FILE:LINE or FUNC bind, where, and if not, why (repeatable)
  --explain ID   print the full explanation of one finding ID
  --launch [FILE] check a VS Code launch.json (default .vscode/launch.json), the
                 dlv vscode-go will start, and the host, instead of a binary
  --core CORE    check a core file and its executable (BINARY, or the one the
                 core names) before dlvx core opens them
  --pid PID --core-setup
                 would this process leave a core if it crashed, and where

Exit status: 0 no error-level finding and every --break binds; 1 an error-level
finding or a --break that will not bind; 2 the doctor itself failed (bad usage,
unreadable file, a check that could not run). Finding IDs are documented in
docs/doctor.md.`

// doctorCommand returns the "doctor" subcommand.
func doctorCommand() *cobra.Command {
	var o doctorOptions
	cmd := &cobra.Command{
		Use:   "doctor BINARY",
		Short: "Explain, before debugging, why breakpoints in a binary will fail.",
		Long:  doctorLong,
		Args: func(cmd *cobra.Command, args []string) error {
			if o.explain != "" {
				return cobra.NoArgs(cmd, args)
			}
			if o.pid != 0 || o.launch.file != "" || o.core.file != "" {
				return cobra.MaximumNArgs(1)(cmd, args)
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		Run: func(cmd *cobra.Command, args []string) {
			if o.core.file != "" || o.core.setup {
				os.Exit(runDoctorCore(cmd.OutOrStdout(), cmd.ErrOrStderr(), args, o))
			}
			if o.launch.file != "" {
				os.Exit(runDoctorLaunch(cmd, cmd.OutOrStdout(), cmd.ErrOrStderr(), args, o))
			}
			os.Exit(runDoctor(cmd.OutOrStdout(), cmd.ErrOrStderr(), args, o))
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.source, "source", "", "the editor's workspace directory, to compare paths")
	f.StringArrayVar(&o.breaks, "break", nil, "a breakpoint location FILE:LINE or FUNC to check (repeatable)")
	f.BoolVar(&o.json, "json", false, "print JSON (schema "+report.SchemaVersion+")")
	f.BoolVar(&o.sarif, "sarif", false, "print SARIF 2.1.0")
	f.StringVar(&o.explain, "explain", "", "print the explanation of a finding ID and exit")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "also show info-level findings and skipped checks")
	f.StringSliceVar(&o.only, "only", nil, "run only these checks (and those they require)")
	f.StringSliceVar(&o.skip, "skip", nil, "do not run these checks")
	f.StringToStringVar(&o.sev, "severity", nil, "override severities by finding ID, e.g. BP-OPT=error,BP-PIE=info")
	f.IntVar(&o.pid, "pid", 0, "check attaching to this process, then its executable (optional BINARY overrides /proc/PID/exe)")
	f.StringSliceVar(&o.dirs, "debug-info-directories", dwarfcheck.DefaultDebugInfoDirs, "where to look for separate debug files")
	addLaunchFlags(cmd, &o.launch)
	addCoreFlags(cmd, &o.core)
	return cmd
}

// runDoctor runs the doctor and returns the exit status.
func runDoctor(stdout, stderr io.Writer, args []string, o doctorOptions) int {
	if o.explain != "" {
		return explain(stdout, stderr, o.explain)
	}
	if o.pid != 0 {
		return runDoctorPID(stdout, stderr, o.pid, args, o)
	}
	if _, err := os.Stat(args[0]); err != nil {
		fmt.Fprintf(stderr, "dlvx doctor: %v\n", err)
		return finding.ExitFailed
	}
	policy, err := o.policy()
	if err == nil {
		err = knownChecks(append(o.only, o.skip...))
	}
	if err != nil {
		fmt.Fprintf(stderr, "dlvx doctor: %v\n", err)
		return finding.ExitFailed
	}
	in := breakcheck.NewInput(args[0])
	defer in.Close()
	in.Source, in.DebugInfoDirs = o.source, o.dirs
	opt := breakcheck.Options{Options: finding.Options{Severity: policy}, Breaks: o.breaks}
	restore := muteDelveWarnings()
	rep, err := breakcheck.Doctor(in, finding.Select(dwarfcheck.BinaryChecks, o.only, o.skip), opt)
	restore()
	if err != nil {
		fmt.Fprintf(stderr, "dlvx doctor: %v\n", err)
		return finding.ExitFailed
	}
	return writeReport(stdout, stderr, rep, o)
}

// explain prints the catalog entry of one finding ID.
func explain(stdout, stderr io.Writer, id string) int {
	if err := report.Explain(stdout, id); err != nil {
		fmt.Fprintf(stderr, "dlvx doctor: %v\n", err)
		return finding.ExitFailed
	}
	return finding.ExitClean
}

// muteDelveWarnings sends os.Stderr to the null device until the returned
// function runs. Delve's loader prints "Warning: no debug info found" there
// for stripped binaries; the doctor reports that as BP-NODWARF with its
// evidence, and the stray line would precede the report. The doctor's own
// messages go to the writer runDoctor was given.
func muteDelveWarnings() (restore func()) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return func() {}
	}
	saved := os.Stderr
	os.Stderr = null
	return func() {
		os.Stderr = saved
		null.Close()
	}
}

// severityPolicy parses --severity ID=level pairs.
// policy checks the options every mode of the doctor shares (one output
// format; the --severity pairs) and returns the severity policy.
func (o doctorOptions) policy() (map[string]finding.Severity, error) {
	if o.json && o.sarif {
		return nil, errors.New("--json and --sarif are exclusive")
	}
	return severityPolicy(o.sev)
}

func severityPolicy(pairs map[string]string) (map[string]finding.Severity, error) {
	known := map[string]bool{}
	for _, id := range finding.IDs() {
		known[id] = true
	}
	policy := make(map[string]finding.Severity, len(pairs))
	for id, level := range pairs {
		id = strings.ToUpper(id)
		if !known[id] {
			return nil, fmt.Errorf("--severity: unknown finding ID %q", id)
		}
		sev, err := finding.ParseSeverity(level)
		if err != nil {
			return nil, fmt.Errorf("--severity %s: %w", id, err)
		}
		policy[id] = sev
	}
	return policy, nil
}

// knownChecks rejects --only and --skip names no check has.
func knownChecks(names []string) error {
	for _, n := range names {
		found := false
		for _, c := range dwarfcheck.BinaryChecks {
			found = found || c.Name == n
		}
		if !found {
			return fmt.Errorf("unknown check %q", n)
		}
	}
	return nil
}

// writeReport renders rep in the format o asks for and returns the exit
// status: the report's own, or ExitFailed when it cannot be written.
func writeReport(stdout, stderr io.Writer, rep *finding.Report, o doctorOptions) int {
	var err error
	switch {
	case o.json:
		err = report.JSON(stdout, rep)
	case o.sarif:
		err = report.SARIF(stdout, rep)
	default:
		err = report.Text(stdout, rep, report.TextOptions{Verbose: o.verbose})
	}
	if err != nil {
		fmt.Fprintf(stderr, "dlvx doctor: write report: %v\n", err)
		return finding.ExitFailed
	}
	return rep.ExitCode()
}
