package main

import (
	"fmt"
	"os"

	"github.com/dlvx/dlvx/resolver"
	"github.com/spf13/cobra"
)

// installResolver registers dlvx's location syntax (SYMBOL+OFFSET,
// preempt:HOOK) with Delve's location parser. Notices go to standard error,
// where the terminal and a headless server's log both show them.
func installResolver() {
	resolver.Install(&resolver.Resolver{Notify: func(n resolver.Notice) {
		fmt.Fprintf(os.Stderr, "dlvx: %s: %s\n", n.ID, n.Text)
	}})
}

// locationsHelp is the help topic `dlvx help locations`.
func locationsHelp() *cobra.Command {
	return &cobra.Command{
		Use:   "locations",
		Short: "Extended breakpoint locations: SYMBOL+OFFSET and preempt:HOOK.",
		Long:  resolver.Help(),
	}
}
