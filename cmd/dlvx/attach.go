package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/dlvx/dlvx/attachcheck"
	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/finding/report"
	"github.com/go-delve/delve/pkg/proc/native"
	"github.com/go-delve/delve/service/debugger"
	"github.com/spf13/cobra"
)

// noPreflightFlag names dlvx's flag that skips the attach preflight.
const noPreflightFlag = "no-preflight"

var (
	// noPreflight is set by attach --no-preflight.
	noPreflight bool
	// attachedPID is the PID dlvx attach was given, -1 for attach
	// --waitfor, 0 in other commands: what exit safety says it does
	// (patch 0010 makes Stop detach from a --waitfor process too).
	attachedPID int
)

// preflightChecks are the binary doctor's checks the attach preflight
// runs: those that read only the ELF header, the section table and the
// build information, so the preflight stays within 10% of attach time.
var preflightChecks = []string{"architecture", "dwarf-present", "separate-debug", "go-version"}

// installAttachPreflight makes a failed attach name the cause the
// preflight diagnoses, in every front end (terminal, headless, DAP).
func installAttachPreflight() {
	debugger.AttachErrorHook = func(pid int, err error) error {
		var ce *attachcheck.CauseError
		if errors.As(err, &ce) {
			return err // explained already (a frozen process --waitfor found)
		}
		if noPreflight || pid <= 0 {
			return nil
		}
		return attachcheck.ExplainAttachError(attachcheck.Host(), pid, err)
	}
	native.WaitForFound = waitForFound
}

// addAttachPreflight runs the preflight before `dlvx attach` and adds
// --no-preflight to it; it also gives `dlvx dap` exit safety on SIGHUP and
// its --stop-timeout.
func addAttachPreflight(root *cobra.Command) {
	if dap, _, err := root.Find([]string{"dap"}); err == nil && dap != root && dap.PreRunE == nil {
		dap.PreRunE = hangupAsTerm
		dap.Flags().DurationVar(&stopTimeout, stopTimeoutFlag, stopTimeout,
			"Give up a local attach whose process has not stopped after this long (a frozen container), leaving it running and ending the session; 0 waits forever.")
	}
	attach, _, err := root.Find([]string{"attach"})
	if err != nil || attach == root {
		return
	}
	attach.Flags().BoolVar(&noPreflight, noPreflightFlag, false,
		"Do not check the process (/proc, Yama, capabilities, the executable) before attaching, and report attach errors as Delve words them.")
	attach.Flags().DurationVar(&stopTimeout, stopTimeoutFlag, stopTimeout,
		"Give up an attach whose process has not stopped after this long (a frozen container), leaving it running; 0 waits forever.")
	attach.PreRunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			attachedPID = -1 // --waitfor: no process yet
			guard.holdDuringAttach()
			return nil
		}
		pid, err := strconv.Atoi(args[0])
		if err != nil {
			return nil // Delve reports the invalid PID
		}
		attachedPID = pid
		guard.holdDuringAttach()
		if !noPreflight {
			exe := ""
			if len(args) > 1 {
				exe = args[1]
			}
			refuseFrozen(cmd.ErrOrStderr(), pid, preflight(cmd.ErrOrStderr(), pid, exe))
		}
		boundAttachWait(cmd.ErrOrStderr(), pid, stopTimeout)
		return nil
	}
}

// preflight diagnoses pid, prints the findings that matter (warnings and
// errors) and returns the report (nil when the preflight cannot run, which
// is only reported). A failing attach is explained again by the
// AttachErrorHook; only a frozen process stops the attach (refuseFrozen).
func preflight(w io.Writer, pid int, exe string) *finding.Report {
	checks := finding.Select(dwarfcheck.BinaryChecks, preflightChecks, nil)
	rep, _, err := attachcheck.Diagnose(attachcheck.Host(), pid, attachcheck.Options{Exe: exe, BinaryChecks: checks})
	if err != nil {
		fmt.Fprintf(w, "dlvx: preflight: %v\n", err)
		return nil
	}
	for _, f := range rep.Findings {
		if f.Severity >= finding.SevWarn {
			report.Brief(w, "dlvx: preflight", f)
		}
	}
	return rep
}
