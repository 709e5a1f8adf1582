package main

import (
	"fmt"

	"github.com/dlvx/dlvx"
	"github.com/go-delve/delve/pkg/version"
	"github.com/spf13/cobra"
)

// replaceVersion makes "version" name dlvx, the Delve it is built on, and
// the patches applied to that Delve. Its flags stay dlv's.
func replaceVersion(root *cobra.Command) {
	for _, c := range root.Commands() {
		if c.Name() != "version" {
			continue
		}
		c.Short = "Prints the dlvx version, the Delve version and the applied patches."
		c.Run = func(cmd *cobra.Command, args []string) {
			fmt.Printf("dlvx %s\n", dlvx.Version)
			fmt.Printf("Delve Debugger\n%s\n", version.DelveVersion)
			fmt.Println("Patches:")
			for _, p := range dlvx.Patches() {
				fmt.Printf("  %s: %s\n", p.Name, p.Description)
			}
			if verbose, _ := cmd.Flags().GetBool("verbose"); verbose {
				fmt.Printf("Build Details: %s\n", version.BuildInfo())
			}
		}
	}
}
