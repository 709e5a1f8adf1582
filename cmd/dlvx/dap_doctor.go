package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dlvx/dlvx/attachcheck"
	"github.com/dlvx/dlvx/breakcheck"
	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/finding/report"
	"github.com/dlvx/dlvx/resolver"
	"github.com/dlvx/dlvx/service/dap"
	"github.com/dlvx/dlvx/srcpath"
)

// dapDoctor is the DAP layer's Doctor and BreakpointExplainer: the binary
// doctor (and the attach preflight for a process about to be attached)
// when a session starts, and the doctor's --break verdicts for every
// breakpoint Delve could not set.
//
// Both run on the same cached dwarfcheck.Input per executable, so Delve's
// BinaryInfo, the expensive part, is loaded at most once per binary, on
// the first unverified breakpoint, and reused for every later one.
type dapDoctor struct {
	mu     sync.Mutex
	inputs []*cachedInput // most recently used last
}

// maxCachedInputs bounds the executables a long-running server (headless
// with --accept-multiclient) keeps loaded.
const maxCachedInputs = 4

// A cachedInput is one executable's Input. Input is not safe for
// concurrent use: mu serialises the session's two relay goroutines.
type cachedInput struct {
	mu     sync.Mutex
	closed bool // evicted: in is closed
	path   string
	size   int64
	mtime  time.Time
	in     *dwarfcheck.Input
}

// input returns the cached Input for path, replacing it when the file
// changed (a rebuilt __debug_bin keeps its name).
func (d *dapDoctor) input(path string) (*cachedInput, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err // an *fs.PathError naming path
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, c := range d.inputs {
		if c.path != path {
			continue
		}
		d.inputs = append(d.inputs[:i], d.inputs[i+1:]...)
		if c.size == st.Size() && c.mtime.Equal(st.ModTime()) {
			d.inputs = append(d.inputs, c)
			return c, nil
		}
		go c.close() // waits for a user of the stale entry
		break
	}
	c := &cachedInput{path: path, size: st.Size(), mtime: st.ModTime(), in: breakcheck.NewInput(path)}
	// No workspace: the stale-binary check would ask git about a
	// directory of the binary's, not the user's.
	c.in.GitHead = nil
	if len(d.inputs) == maxCachedInputs {
		go d.inputs[0].close()
		d.inputs = d.inputs[1:]
	}
	d.inputs = append(d.inputs, c)
	return c, nil
}

func (c *cachedInput) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.in.Close()
}

// errEvicted reports an executable that changed while it was examined.
var errEvicted = errors.New("the executable changed while dlvx examined it")

// Examine runs the doctor on the executable of a launch, or the attach
// preflight and the doctor on a process the session is about to attach
// to. A process Delve already traces (the layer learnt its PID from
// Delve's process event after a build) gets the binary doctor only: the
// preflight would report Delve itself as the tracer.
func (d *dapDoctor) Examine(ctx context.Context, path string) (dap.Report, error) {
	if pid, ok := procExePID(path); ok {
		snap, err := attachcheck.Take(attachcheck.Host(), pid)
		if err != nil {
			return dap.Report{}, fmt.Errorf("read the state of process %d: %w", pid, err)
		}
		if snap.Status == nil || !snap.Env.TracedBySelf(snap.Status.TracerPid) {
			return d.preflight(pid)
		}
	}
	c, err := d.input(path)
	if err != nil {
		return dap.Report{}, err
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return dap.Report{}, errEvicted
	}
	rep, err := breakcheck.Doctor(c.in, dwarfcheck.BinaryChecks, breakcheck.Options{})
	c.mu.Unlock()
	if err != nil {
		return dap.Report{}, fmt.Errorf("run the checks: %w", err)
	}
	return renderReport(rep)
}

// preflight runs the attach checks and the binary doctor on pid.
func (d *dapDoctor) preflight(pid int) (dap.Report, error) {
	rep, _, err := attachcheck.Diagnose(attachcheck.Host(), pid, attachcheck.Options{BinaryChecks: dwarfcheck.BinaryChecks})
	if err != nil {
		return dap.Report{}, fmt.Errorf("attach preflight of process %d: %w", pid, err)
	}
	return renderReport(rep)
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

// renderReport turns a doctor's report into output events: one important
// line per warning or error, and the doctor's text report for the debug
// console. A clean binary says nothing.
func renderReport(rep *finding.Report) (dap.Report, error) {
	var out dap.Report
	for _, f := range rep.Findings {
		if f.Severity >= finding.SevWarn {
			out.Important = append(out.Important, fmt.Sprintf("dlvx doctor: %s %s: %s (details in the Debug Console)", f.ID, f.Severity, f.Title))
		}
	}
	for _, e := range rep.Errors {
		out.Important = append(out.Important, fmt.Sprintf("dlvx doctor: check %s could not run: %v", e.Check, e.Err))
	}
	if len(out.Important) == 0 {
		return out, nil
	}
	var b strings.Builder
	if err := report.Text(&b, rep, report.TextOptions{}); err != nil {
		return dap.Report{}, fmt.Errorf("render doctor report: %w", err)
	}
	out.Detail = b.String()
	return out, nil
}

// ExplainLine gives the doctor's verdict on file:line, with the
// session's substitutePath rules applied as Delve applied them.
func (d *dapDoctor) ExplainLine(ctx context.Context, binary, file string, line int) (string, error) {
	return d.explain(binary, file+":"+strconv.Itoa(line), dap.PathRules(ctx))
}

// ExplainFunction gives the doctor's verdict on a function breakpoint.
// dlvx's own locations (SYMBOL+OFFSET, preempt:HOOK) are left to the
// resolver, whose error Delve already reports.
func (d *dapDoctor) ExplainFunction(ctx context.Context, binary, name string) (string, error) {
	if spec, err := resolver.Parse(name); spec != nil || err != nil {
		return "", nil
	}
	return d.explain(binary, name, nil)
}

// explain answers one --break question about binary.
func (d *dapDoctor) explain(binary, loc string, rules []srcpath.PathRule) (string, error) {
	c, err := d.input(binary)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return "", fmt.Errorf("explain %s: %w", loc, errEvicted)
	}
	verdicts, err := breakcheck.Breaks(c.in, []string{loc}, rules)
	c.mu.Unlock()
	if err != nil {
		return "", fmt.Errorf("explain %s: %w", loc, err)
	}
	if len(verdicts) != 1 || verdicts[0].Binds {
		// The doctor would bind it: Delve's own message is the news.
		return "", nil
	}
	return renderVerdict(verdicts[0].Findings), nil
}

// renderVerdict writes a breakpoint's findings for the hover of an
// unverified breakpoint: per finding its ID and title, the facts, and the
// fixes to copy.
func renderVerdict(fs []finding.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "dlvx: %s: %s\n", f.ID, f.Title)
		for _, e := range f.Evidence {
			fmt.Fprintf(&b, "  %s\n", e.Fact)
		}
		for _, fx := range f.Fixes {
			if len(fx.Command) == 0 {
				fmt.Fprintf(&b, "  fix: %s\n", fx.Summary)
				continue
			}
			fmt.Fprintf(&b, "  fix: %s: %s\n", fx.Summary, fx.CommandLine())
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// servedBinary returns the executable of the process this headless server
// debugs: the one a thread of this process traces. A remote attach names
// no executable; this is what it attaches to.
func servedBinary() string {
	tracees, err := attachcheck.Host().Tracees()
	if err != nil || len(tracees) == 0 {
		return ""
	}
	return "/proc/" + strconv.Itoa(tracees[0]) + "/exe"
}
