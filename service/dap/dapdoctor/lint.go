package dapdoctor

import (
	"context"
	"fmt"
	"os"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/launchcheck"
	"github.com/dlvx/dlvx/service/dap"
)

// Lint is the layer's RequestLinter: launchcheck's checks of a launch
// configuration, run on the arguments of a launch or attach request as
// Delve will read them (relative paths against this process's working
// directory, which vscode-go sets to the workspace folder; GOFLAGS from
// its environment, which Delve's build inherits), and on a restart what
// Delve keeps of the launch. It builds and starts nothing: Delve does,
// right after.
func (d *Doctor) Lint(_ context.Context, req dap.LintRequest) (dap.Report, error) {
	var rep *finding.Report
	var err error
	if req.Command == "restart" {
		rep, err = launchcheck.Restart(req.Args, req.Launched)
	} else {
		dir, werr := os.Getwd()
		if werr != nil {
			return dap.Report{}, fmt.Errorf("working directory: %w", werr)
		}
		rep, err = launchcheck.Request(req.Command, req.Args, launchcheck.RequestOptions{Dir: dir, Getenv: os.Getenv})
	}
	if err != nil {
		return dap.Report{}, fmt.Errorf("check the %s request: %w", req.Command, err)
	}
	return consoleReport(rep)
}
