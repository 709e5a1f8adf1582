package main

import (
	"os"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/finding/report"
	"github.com/dlvx/dlvx/resolver"
	"github.com/dlvx/dlvx/service/dap/dapdoctor"
	"github.com/spf13/cobra"
)

// installResolver registers dlvx's location syntax (SYMBOL+OFFSET,
// preempt:HOOK) with Delve's location parser.
func installResolver() {
	resolver.Install(&resolver.Resolver{Notify: showNotice})
}

// showNotice shows a resolver finding in the Debug Console of the DAP
// sessions this process serves, or else on standard error, where the
// terminal and a headless server's log show it, in the doctor's text
// format.
func showNotice(f finding.Finding) {
	if rep, err := dapdoctor.Notice(f); err == nil && dapLayer.Notify(rep) > 0 {
		return
	}
	// A failed write to standard error has nowhere else to go.
	_ = report.Findings(os.Stderr, []finding.Finding{f}, report.TextOptions{Verbose: true})
}

// locationsHelp is the help topic `dlvx help locations`.
func locationsHelp() *cobra.Command {
	return &cobra.Command{
		Use:   "locations",
		Short: "Extended breakpoint locations: SYMBOL+OFFSET and preempt:HOOK.",
		Long:  resolver.Help(),
	}
}
