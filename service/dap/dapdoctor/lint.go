package dapdoctor

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/dlvx/dlvx/launchcheck"
	"github.com/dlvx/dlvx/service/dap"
)

// Lint is the layer's RequestLinter: launchcheck's checks of a launch
// configuration, run on the arguments of a launch or attach request as
// Delve will read them (relative paths against this process's working
// directory, which vscode-go sets to the workspace folder; GOFLAGS from
// its environment, which Delve's build inherits). It builds and starts
// nothing: Delve does, right after.
func (d *Doctor) Lint(_ context.Context, command string, args json.RawMessage) (dap.Report, error) {
	dir, err := os.Getwd()
	if err != nil {
		return dap.Report{}, fmt.Errorf("working directory: %w", err)
	}
	rep, err := launchcheck.Request(command, args, launchcheck.RequestOptions{Dir: dir, Getenv: os.Getenv})
	if err != nil {
		return dap.Report{}, fmt.Errorf("check the %s request: %w", command, err)
	}
	return consoleReport(rep)
}
