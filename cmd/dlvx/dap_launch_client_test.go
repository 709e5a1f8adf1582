package main

import (
	"strconv"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// TestDAPLaunchLintWithVSCodeClient: launch configurations with a mistake,
// sent as vscode-go sends them, through VS Code's DAP client
// (testdata/vscode-client/launch.test.js): the lint's finding in the Debug
// Console, then the corrected configuration with a breakpoint that binds
// and is hit; a Restart whose new buildFlags Delve drops, then a new
// session that builds with them; a test configuration with go test's
// flags in args, then with the -test. flags the lint gives.
func TestDAPLaunchLintWithVSCodeClient(t *testing.T) {
	node := vscodeClient(t)
	runVSCodeClient(t, node, "launch.test.js",
		"WORKER_DIR="+fixtures.Dir("worker"),
		"WORKER_BIN="+fixtures.Build(t, "worker", fixtures.NoOpt),
		"WORK_BODY_LINE="+strconv.Itoa(fixtures.Line(t, "worker", "main.go", "work-body")),
		"BUILDTAGS_DIR="+fixtures.Dir("buildtags"),
		"FEATURE_ON_LINE="+strconv.Itoa(fixtures.Line(t, "buildtags", "feature_on.go", "feature-on")),
		"FEATURE_OFF_LINE="+strconv.Itoa(fixtures.Line(t, "buildtags", "feature_off.go", "feature-off")),
		"GOTEST_DIR="+fixtures.Dir("gotest"),
		"STEP_BODY_LINE="+strconv.Itoa(fixtures.Line(t, "gotest", "step.go", "step-body")),
	)
}
