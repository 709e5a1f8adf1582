package launchcheck

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/dlvx/dlvx/finding"
)

// A Check is a check of one configuration.
type Check = finding.Check[*Target]

// The checks of one configuration, in order.
var (
	Attributes = &Check{Name: "attributes", Doc: "report unknown, misspelled and deprecated attributes\n\nCompares each attribute with vscode-go's schema and names the closest valid one.", Run: checkAttributes}
	Variables  = &Check{Name: "variables", Doc: "name the variables only the editor can expand\n\n${command:…}, ${input:…}, and ${file} without --file leave their attribute unjudged.", Run: checkVariables}
	NoDebug    = &Check{Name: "no-debug", Doc: "report noDebug\n\nA configuration with noDebug runs the program without the debugger.", Run: checkNoDebug}
	Mode       = &Check{Name: "mode", Doc: "compare mode with program\n\ndebug and test need a package directory or a .go file, exec and core an executable.", Requires: []*Check{Attributes}, Run: checkMode}
	EnvFile    = &Check{Name: "env-file", Doc: "read envFile as vscode-go does\n\nA file that cannot be read stops the session; its GOFLAGS reach the debug build, -gcflags included.", Run: checkEnvFile}
	Cwd        = &Check{Name: "cwd", Doc: "report a working directory that does not exist\n\nRelative paths are joined to the workspace folder, as vscode-go does.", Run: checkCwd}
	Remote     = &Check{Name: "remote", Doc: "find the server a remote configuration connects to\n\nReads /proc/net/tcp, then asks a multi-client Delve server its version and sources over JSON-RPC.", Run: checkRemote}
	Build      = &Check{Name: "build", Doc: "judge build flags and the binary they make\n\nLints buildFlags and GOFLAGS, builds the program as the mode would, and runs the binary checks on it.", Requires: []*Check{Mode}, Run: checkBuild}
	SubPath    = &Check{Name: "substitute-path", Doc: "judge substitutePath against the binary's files\n\nApplies the rules to the workspace's files and prints the rule the binary needs.", Requires: []*Check{Build, Remote}, Run: checkSubstitutePath}
	WhichDlv   = &Check{Name: "dlv", Doc: "judge the dlv vscode-go will start\n\nResolves it as vscode-go does and compares its Delve and Go versions with the binary.", Requires: []*Check{Build}, Run: checkDlv}
)

// ConfigChecks are the checks Doctor runs on each configuration.
var ConfigChecks = []*Check{Attributes, Variables, NoDebug, Mode, Cwd, EnvFile, TestArgs, Remote, Build, SubPath, WhichDlv}

// Doctor checks the Go configurations of f (or the one opt.Config names)
// and the host, and returns one report: each finding's first evidence
// names its configuration and the line it was read at.
func Doctor(f *File, opt Options) (*finding.Report, error) {
	cfgs, err := goConfigs(f, opt.Config)
	if err != nil {
		return nil, err
	}
	if opt.TempDir == "" {
		dir, err := os.MkdirTemp("", "dlvx-launch-")
		if err != nil {
			return nil, fmt.Errorf("debug build directory: %w", err)
		}
		defer os.RemoveAll(dir)
		opt.TempDir = dir
	}
	if opt.Settings == nil {
		s, err := ReadSettings(UserSettingsFile(opt.Vars.Home), filepath.Join(opt.Vars.WorkspaceFolder, ".vscode", "settings.json"))
		if err != nil {
			return nil, err
		}
		opt.Settings = s
	}
	opt.dlv = ResolveDlv(opt.Settings, opt.Vars, readGoEnv(opt.Vars.WorkspaceFolder))
	rep := &finding.Report{Binary: f.Path}
	if len(cfgs) == 0 {
		rep.Findings = append(rep.Findings, finding.New("ENV-IDECONF-NOGO", finding.Evidencef(f.Path, "%d configurations, none of \"type\": \"go\"", len(f.Configs))))
	}
	for _, c := range cfgs {
		t := &Target{File: f.Path, L: c.Resolve(opt.Vars), Opt: &opt}
		res, err := finding.Run(t, ConfigChecks, opt.Options)
		t.Close()
		if err != nil {
			return nil, err
		}
		merge(rep, res, c.Label())
		if len(cfgs) == 1 && t.corrected != nil {
			rep.PathRules = []finding.PathRule{*t.corrected}
		}
	}
	rep.Findings = append(rep.Findings, stamp(checkTestFlags(&opt), "test-flags")...)
	h := opt.host()
	h.Dlv, h.Backend, h.EBPF = opt.dlv.Path, opt.Backend, opt.EBPF
	res, err := finding.Run(h, HostChecks, opt.Options)
	if err != nil {
		return nil, err
	}
	merge(rep, res, "host")
	return rep, nil
}

// stamp names the check that produced findings made outside finding.Run.
func stamp(fs []finding.Finding, check string) []finding.Finding {
	for i := range fs {
		fs[i].Check = check
	}
	return fs
}

// merge adds one run's result to the report.
func merge(rep *finding.Report, res *finding.Result, label string) {
	rep.Findings = append(rep.Findings, res.Findings...)
	for _, ce := range res.Errors {
		ce.Check = label + ": " + ce.Check
		rep.Errors = append(rep.Errors, ce)
	}
	rep.Passed = append(rep.Passed, res.Passed...)
	rep.Skipped = append(rep.Skipped, res.Skipped...)
}
