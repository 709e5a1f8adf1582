package main

import (
	"regexp"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const rootShort = "dlvx is Delve, the Go debugger, with breakpoints that explain themselves."

const rootLongIntro = `dlvx is a patched build of Delve: all of Delve's commands and flags work the same,
plus extended breakpoint locations, 'dlvx doctor' and a DAP layer for VS Code.

`

// dlvWord matches the command name dlv as a word, but not inside paths or
// identifiers such as ~/.config/dlv/ or dlv-dap.
var dlvWord = regexp.MustCompile(`(^|[^\w./-])dlv([^\w/-]|$)`)

func renameDlv(s string) string { return dlvWord.ReplaceAllString(s, "${1}dlvx${2}") }

// rebrand makes help and usage of the whole tree say dlvx.
func rebrand(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Long = renameDlv(c.Long)
		c.Short = renameDlv(c.Short)
		c.Example = renameDlv(c.Example)
		rename := func(f *pflag.Flag) { f.Usage = renameDlv(f.Usage) }
		c.Flags().VisitAll(rename)
		c.PersistentFlags().VisitAll(rename)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	hideRootFlags(root)
	root.Use = "dlvx"
	root.Short = rootShort
	root.Long = rootLongIntro + root.Long
}

// hideRootFlags keeps the root help page free of flags, as dlv's is: Delve
// hides them for the command named "dlv", which the rename would undo.
func hideRootFlags(root *cobra.Command) {
	usage := root.UsageFunc()
	root.SetUsageFunc(func(c *cobra.Command) error {
		if c == root {
			hide := func(f *pflag.Flag) { f.Hidden = true }
			c.PersistentFlags().VisitAll(hide)
			c.Flags().VisitAll(hide)
		}
		return usage(c)
	})
}
