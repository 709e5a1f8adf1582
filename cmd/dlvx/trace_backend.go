package main

import (
	"github.com/dlvx/dlvx/preempttrace"
	"github.com/spf13/cobra"
)

// traceBackend returns the tracer --ebpf chooses.
func traceBackend(cmd *cobra.Command) func(preempttrace.Options) (*preempttrace.Summary, error) {
	if ebpf, _ := cmd.Flags().GetBool("ebpf"); ebpf {
		return preempttrace.EBPF
	}
	return preempttrace.Ptrace
}
