package dapdoctor

import (
	"context"
	"fmt"
	"strconv"

	"github.com/dlvx/dlvx/breakcheck"
	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/finding/report"
	"github.com/dlvx/dlvx/resolver"
	"github.com/dlvx/dlvx/service/dap"
	"github.com/dlvx/dlvx/srcpath"
)

// ExplainLine gives the doctor's verdict on file:line, with the
// session's substitutePath rules applied as Delve applied them.
func (d *Doctor) ExplainLine(ctx context.Context, binary, file string, line int) (string, error) {
	return d.explain(ctx, binary, file+":"+strconv.Itoa(line), dap.PathRules(ctx))
}

// ExplainFunction gives the doctor's verdict on a function breakpoint.
// dlvx's own locations (SYMBOL+OFFSET, preempt:HOOK) are left to the
// resolver, whose error Delve already reports.
func (d *Doctor) ExplainFunction(ctx context.Context, binary, name string) (string, error) {
	if spec, err := resolver.Parse(name); spec != nil || err != nil {
		return "", nil
	}
	return d.explain(ctx, binary, name, nil)
}

// explain answers one --break question about binary: from the tables the
// session's debugger loaded (dap.BinaryInfo), else from the doctor's own
// load of binary, kept for the next question.
func (d *Doctor) explain(ctx context.Context, binary, loc string, rules []srcpath.PathRule) (string, error) {
	var verdicts []finding.BreakVerdict
	breaks := func(in *dwarfcheck.Input) error {
		var err error
		verdicts, err = breakcheck.Breaks(in, []string{loc}, rules)
		return err
	}
	var err error
	if bi := dap.BinaryInfo(ctx); bi != nil {
		err = d.session.use(bi, breaks)
	} else {
		var c *cachedInput
		if c, err = d.cache.input(binary); err != nil {
			return "", err
		}
		err = c.use(breaks)
	}
	if err != nil {
		return "", fmt.Errorf("explain %s: %w", loc, err)
	}
	if len(verdicts) != 1 || verdicts[0].Binds {
		// The doctor would bind it: Delve's own message is the news.
		return "", nil
	}
	return report.Verdict(verdicts[0].Findings), nil
}
