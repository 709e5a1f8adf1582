package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// dlvxBin is the dlvx binary under test, built once by TestMain.
var dlvxBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dlvx-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	dlvxBin = filepath.Join(dir, "dlvx")
	out, err := exec.Command("go", "build", "-o", dlvxBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build dlvx: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	code := m.Run()
	fixtures.Cleanup()
	os.RemoveAll(dir)
	os.Exit(code)
}

// ansi matches the colour escapes Delve's terminal writes even to pipes.
var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// session is one dlvx terminal run whose output is collected.
type session struct {
	cmd *exec.Cmd
	out *bytes.Buffer
}

// startDlvx starts dlvx with args, an init script holding the given
// commands, and stdin closed: the terminal sees EOF after the script.
func startDlvx(t *testing.T, dir string, script []string, args ...string) *session {
	t.Helper()
	initFile := filepath.Join(dir, "init.dlv")
	if err := os.WriteFile(initFile, []byte(strings.Join(script, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args = append([]string{"--init", initFile, "--allow-non-terminal-interactive=true"}, args...)
	cmd := exec.Command(dlvxBin, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return &session{cmd, &out}
}

// wait waits for dlvx to exit with status 0 and returns its output
// without colour.
func (s *session) wait(t *testing.T) string {
	t.Helper()
	out, code := s.waitStatus(t)
	if code != 0 {
		t.Fatalf("dlvx %s: exit status %d\n%s", strings.Join(s.cmd.Args[1:], " "), code, out)
	}
	return out
}

// waitStatus waits for dlvx to exit and returns its output without colour
// and its exit status.
func (s *session) waitStatus(t *testing.T) (string, int) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		out := ansi.ReplaceAllString(s.out.String(), "")
		if err != nil && s.cmd.ProcessState == nil {
			t.Fatalf("dlvx %s: %v\n%s", strings.Join(s.cmd.Args[1:], " "), err, out)
		}
		return out, s.cmd.ProcessState.ExitCode()
	case <-time.After(2 * time.Minute):
		s.cmd.Process.Kill()
		t.Fatalf("dlvx did not exit; output so far:\n%s", s.out.String())
		return "", -1
	}
}

// startTarget runs a fixture binary and waits for its "ready PID" line.
func startTarget(t *testing.T, bin string, args ...string) *fixtures.Process {
	t.Helper()
	return fixtures.StartReady(t, bin, args...)
}
