package dapdoctor

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dlvx/dlvx/attachcheck"
	"github.com/dlvx/dlvx/breakcheck"
	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/finding/report"
	"github.com/dlvx/dlvx/launchcheck"
	"github.com/dlvx/dlvx/service/dap"
)

// A Doctor is the DAP layer's Doctor and BreakpointExplainer. Its zero
// value is ready to use; it is safe for concurrent use.
type Doctor struct {
	cache   cache        // the doctor's own loads, by path
	session sessionInput // over the session debugger's BinaryInfo
}

// Examine runs the doctor on the executable of a launch, or the attach
// preflight and the doctor on a process the session is about to attach
// to (and refuses a frozen one). A process Delve already traces (the layer learnt its PID from
// Delve's process event after a build) gets the binary doctor only: the
// preflight would report Delve itself as the tracer.
func (d *Doctor) Examine(ctx context.Context, path string) (dap.Report, error) {
	if pid, ok := procExePID(path); ok {
		snap, err := attachcheck.Take(attachcheck.Host(), pid)
		if err != nil {
			return dap.Report{}, fmt.Errorf("read the state of process %d: %w", pid, err)
		}
		if snap.Status == nil || !snap.Env.TracedBySelf(snap.Status.TracerPid) {
			return preflight(pid)
		}
	}
	c, err := d.cache.input(path)
	if err != nil {
		return dap.Report{}, err
	}
	var rep *finding.Report
	err = c.use(func(in *dwarfcheck.Input) error {
		var err error
		if rep, err = breakcheck.Doctor(in, dwarfcheck.BinaryChecks, breakcheck.Options{}); err != nil {
			return fmt.Errorf("run the checks: %w", err)
		}
		rep.Findings = unsaid(ctx, in, rep.Findings)
		return nil
	})
	// The verdicts read the session's own tables (dap.BinaryInfo): keeping
	// this Input would only hold memory through the session.
	d.cache.drop(c)
	if err != nil {
		return dap.Report{}, err
	}
	return consoleReport(rep)
}

// preflight runs the attach checks and the binary doctor on pid. A frozen
// process is refused: attaching would wait for the thaw.
func preflight(pid int) (dap.Report, error) {
	rep, _, err := attachcheck.Diagnose(attachcheck.Host(), pid, attachcheck.Options{BinaryChecks: dwarfcheck.BinaryChecks})
	if err != nil {
		return dap.Report{}, fmt.Errorf("attach preflight of process %d: %w", pid, err)
	}
	r, err := consoleReport(rep)
	if ferr := attachcheck.FrozenCause(pid, rep); ferr != nil {
		r.Refusal = ferr.Error()
	}
	return r, err
}

// consoleReport renders a doctor's report for the layer.
func consoleReport(rep *finding.Report) (dap.Report, error) {
	c, err := report.ConsoleReport(rep)
	return dap.Report{Important: c.Important, Detail: c.Detail, Causes: causes(rep.Findings)}, err
}

// causes returns the IDs of the findings a console report shows as
// important lines.
func causes(fs []finding.Finding) []string {
	var ids []string
	for _, f := range fs {
		if f.Severity >= finding.SevWarn {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

// unsaid returns the findings of fs the session has not said yet: it
// drops a finding whose cause the session already showed (Shown: the
// launch lint's ENV-IDECONF-TRIMPATH before the debug build's
// BP-TRIMPATH), and BP-TRIMPATH when the session's substitutePath maps
// every file of the binary (the configuration handles it).
func unsaid(ctx context.Context, in *dwarfcheck.Input, fs []finding.Finding) []finding.Finding {
	shown := dap.Shown(ctx)
	return slices.DeleteFunc(fs, func(f finding.Finding) bool {
		if slices.Contains(shown, f.ID) || slices.Contains(shown, launchcheck.CauseOf(f.ID)) {
			return true
		}
		if f.ID != "BP-TRIMPATH" {
			return false
		}
		files, err := in.Files()
		return err == nil && breakcheck.MapsEveryFile(files, dap.PathRules(ctx))
	})
}

// Notice renders a finding the resolver sent while a breakpoint was set,
// for Middleware.Notify: in the Debug Console like the doctor's findings
// at launch, led by "dlvx".
func Notice(f finding.Finding) (dap.Report, error) {
	c, err := report.ConsoleFindings("dlvx", []finding.Finding{f})
	return dap.Report{Important: c.Important, Detail: c.Detail}, err
}

// ServedBinary returns the executable of the process this headless server
// debugs: the one a thread of this process traces, "" when there is none.
// A remote attach names no executable; this is what it attaches to.
func ServedBinary() string {
	tracees, err := attachcheck.Host().Tracees()
	if err != nil || len(tracees) == 0 {
		return ""
	}
	return "/proc/" + strconv.Itoa(tracees[0]) + "/exe"
}

// procExePID returns the PID of a /proc/PID/exe path.
func procExePID(path string) (int, bool) {
	rest, ok := strings.CutPrefix(path, "/proc/")
	if !ok {
		return 0, false
	}
	num, ok := strings.CutSuffix(rest, "/exe")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(num)
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, true
}
