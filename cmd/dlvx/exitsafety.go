package main

import (
	"fmt"
	"os"

	"github.com/go-delve/delve/pkg/terminal"
)

// installExitSafety makes the terminal leave an attached process running
// when standard input ends at "Would you like to kill the process?":
// killing is only ever an explicit answer. Delve alone would exit without
// detaching and leave its breakpoint instructions in the target.
func installExitSafety() {
	terminal.KillPromptEOF = func() bool {
		fmt.Fprintln(os.Stderr, "\ndlvx: standard input closed at the kill prompt: detaching, the process keeps running")
		return false
	}
}
