package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// vscodeClientDir holds the tests that drive dlvx with the DAP client of VS
// Code's own adapter tests (npm @vscode/debugadapter-testsupport, pinned in
// its package-lock.json; `npm ci` there installs it).
const vscodeClientDir = "testdata/vscode-client"

// vscodeClient returns node once the VS Code DAP client is installed,
// through the fixtures' policy on missing prerequisites.
func vscodeClient(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(vscodeClientDir, "node_modules", "@vscode", "debugadapter-testsupport"))
	}
	fixtures.Need(t, err == nil, "the VS Code DAP client is not installed (%v): run make vscode-client (npm ci in %s)", err, vscodeClientDir)
	return node
}

// runVSCodeClient runs one test file of vscodeClientDir with env added
// to the environment, dlvx's path included, and logs its output.
func runVSCodeClient(t *testing.T, node, file string, env ...string) {
	t.Helper()
	cmd := exec.Command(node, "--test", "--test-concurrency=1", file)
	cmd.Dir = vscodeClientDir
	cmd.Env = append(append(os.Environ(), "DLVX="+dlvxBin), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test %s: %v\n%s", file, err, out)
	}
	t.Logf("%s", out)
}

func TestDAPWithVSCodeClient(t *testing.T) {
	node := vscodeClient(t)
	worker := fixtures.Build(t, "worker", fixtures.NoOpt)
	trim := fixtures.Build(t, "breakcases", trimpathNoOpt)
	env := append(editorFixtures(t),
		"WORKER_BIN="+worker,
		"WORKER_SRC="+filepath.Join(fixtures.Dir("worker"), "main.go"),
		"WORK_BODY_LINE="+strconv.Itoa(fixtures.Line(t, "worker", "main.go", "work-body")),
		"WORKER_OPT_BIN="+fixtures.Build(t, "worker", fixtures.Default),
		"STRIPPED_BIN="+fixtures.Build(t, "worker", fixtures.Stripped),
		"TRIM_BIN="+trim,
		"TRIM_SRC="+filepath.Join(fixtures.Dir("breakcases"), "main.go"),
		"LOOP_CALL_LINE="+strconv.Itoa(fixtures.Line(t, "breakcases", "main.go", "loop-call")),
		"SPIN_BIN="+fixtures.Build(t, "spin", fixtures.NoOpt),
		"GOROOT_SRC="+goRootSrc(t),
	)
	runVSCodeClient(t, node, "dap.test.js", env...)
}
