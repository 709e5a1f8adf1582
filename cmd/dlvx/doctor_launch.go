package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/launchcheck"
	"github.com/spf13/cobra"
)

// launchOptions are the flags of `dlvx doctor --launch`.
type launchOptions struct {
	file        string // --launch; "" when not asked
	config      string // --config NAME
	openFile    string // --file: the editor's open file, for ${file}
	probeRemote bool
	ebpf        bool
}

// defaultLaunchFile is what --launch reads without a value.
const defaultLaunchFile = ".vscode/launch.json"

// addLaunchFlags registers the --launch flags on the doctor command.
func addLaunchFlags(cmd *cobra.Command, o *launchOptions) {
	f := cmd.Flags()
	f.StringVar(&o.file, "launch", "", "check a VS Code launch.json (default "+defaultLaunchFile+")")
	f.Lookup("launch").NoOptDefVal = defaultLaunchFile
	f.StringVar(&o.config, "config", "", "with --launch: check only the configuration with this name")
	f.StringVar(&o.openFile, "file", "", "with --launch: the file open in the editor, for ${file} and ${fileDirname}")
	f.BoolVar(&o.probeRemote, "probe-remote", false, "with --launch: ask remote servers for their version even when one connection may end them")
	f.BoolVar(&o.ebpf, "ebpf", false, "with --launch: also check eBPF tracing prerequisites")
}

// runDoctorLaunch is `dlvx doctor --launch [FILE]`: the launch
// configuration, the dlv the editor will start, and the host. FILE may
// also come as the argument. Exit status as for a binary.
func runDoctorLaunch(cmd *cobra.Command, stdout, stderr io.Writer, args []string, o doctorOptions) int {
	lo := o.launch
	path := lo.file
	if len(args) > 0 {
		path = args[0]
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "dlvx doctor: %v\n", err)
		return finding.ExitFailed
	}
	policy, err := o.policy()
	if err != nil {
		return fail(err)
	}
	f, err := launchcheck.ReadFile(path)
	if err != nil {
		return fail(err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fail(err)
	}
	ws := filepath.Dir(filepath.Dir(abs)) // the folder holding .vscode/
	if filepath.Base(filepath.Dir(abs)) != ".vscode" {
		ws, _ = os.Getwd()
	}
	home, _ := os.UserHomeDir()
	cwd, _ := os.Getwd()
	openFile := lo.openFile
	if openFile != "" {
		openFile, _ = filepath.Abs(openFile)
	}
	backend := ""
	if fl := cmd.Flag("backend"); fl != nil {
		backend = fl.Value.String()
	}
	rep, err := launchcheck.Doctor(f, launchcheck.Options{
		Vars:        launchcheck.Vars{WorkspaceFolder: ws, File: openFile, Cwd: cwd, Home: home, Getenv: os.Getenv},
		Config:      lo.config,
		ProbeRemote: lo.probeRemote,
		Backend:     backend,
		EBPF:        lo.ebpf,
		Options:     finding.Options{Severity: policy},
	})
	if err != nil {
		return fail(err)
	}
	return writeReport(stdout, stderr, rep, o)
}
