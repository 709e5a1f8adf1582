// Command dlvx is Delve with dlvx's additions: every dlv subcommand and flag
// with the same meaning, plus the doctor, extended breakpoint locations and
// a DAP layer. See the README.
package main

import (
	"os"

	"github.com/go-delve/delve/cmd/dlv/cmds"
	"github.com/go-delve/delve/pkg/logflags"
	"github.com/go-delve/delve/pkg/version"
	"github.com/spf13/cobra"
	"golang.org/x/telemetry"
)

// Build is the VCS revision of this build, set with -ldflags=-X main.Build=….
var Build string

func main() {
	guardianMain(os.Args)
	// As dlv does: crash reports stay local unless the user opted in with gotelemetry.
	telemetry.Start(telemetry.Config{ReportCrashes: true})
	if Build != "" {
		version.DelveVersion.Build = Build
	}
	setCgoDefaults()
	newRoot().Execute()
}

// setCgoDefaults keeps dlv's default of building C code without
// optimisation for debug and test, unless the user chose CGO_CFLAGS.
func setCgoDefaults() {
	const cgoCflagsEnv = "CGO_CFLAGS"
	if os.Getenv(cgoCflagsEnv) == "" {
		os.Setenv(cgoCflagsEnv, "-O0 -g")
	} else {
		logflags.WriteCgoFlagsWarning()
	}
}

// newRoot returns Delve's command tree renamed to dlvx, with dlvx's hooks
// installed and its own commands added. cmds.New keeps state in package
// variables: call newRoot once per process.
func newRoot() *cobra.Command {
	root := cmds.New(false)
	installHooks()
	addCommands(root)
	rebrand(root)
	return root
}

// installHooks sets the hooks dlvx's patches add to Delve.
func installHooks() {
	installExitSafety()
	installTextGuard()
	installResolver()
	installDAP()
	installAttachPreflight()
	installNoDebugInfoWarning()
}

// addCommands adds dlvx's own subcommands and replaces dlv's version command.
func addCommands(root *cobra.Command) {
	replaceVersion(root)
	root.AddCommand(doctorCommand())
	root.AddCommand(locationsHelp())
	root.AddCommand(repairCommand())
	addDAPFlags(root)
	addAttachPreflight(root)
	addTrace(root)
}
