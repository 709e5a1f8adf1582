// Package podman runs real containers for dlvx's tests: it imports images
// built from local files (no registry), starts containers with the options
// a debugging setup varies (capabilities, seccomp, user, shared PID
// namespace), execs in them, pauses and stops them, and removes every
// container when the test ends. It is for tests only.
//
// Podman reads the private configuration scripts/setup-podman.sh writes
// under the repository's .cache/podman (runc, cgroupfs, low rlimits, vfs
// storage), unless CONTAINERS_CONF and CONTAINERS_STORAGE_CONF name other
// files. Where podman cannot run, Need skips the test, or fails it under
// CI with the reason.
package podman

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// An Engine is a usable podman with its configuration.
type Engine struct {
	Bin string   // the podman executable
	Env []string // the environment podman commands run with
}

var (
	probeOnce sync.Once
	probed    *Engine
	probeErr  error
)

// Need returns the Engine, or skips t (fails it under CI) when podman
// cannot run containers on this machine, with the reason.
func Need(t testing.TB) *Engine {
	t.Helper()
	probeOnce.Do(func() { probed, probeErr = probe() })
	if probeErr != nil {
		fixtures.Need(t, false, "podman: %v (run scripts/setup-podman.sh)", probeErr)
	}
	return probed
}

// configDir is the repository's .cache/podman, where setup-podman.sh
// writes its configuration.
func configDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", ".cache", "podman")
}

func probe() (*Engine, error) {
	bin, err := exec.LookPath("podman")
	if err != nil {
		return nil, err
	}
	env := os.Environ()
	for _, c := range []struct{ key, file string }{
		{"CONTAINERS_CONF", "containers.conf"},
		{"CONTAINERS_STORAGE_CONF", "storage.conf"},
	} {
		if os.Getenv(c.key) != "" {
			continue
		}
		p := filepath.Join(configDir(), c.file)
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("no %s: %w", c.key, err)
		}
		env = append(env, c.key+"="+p)
	}
	e := &Engine{Bin: bin, Env: env}
	if out, err := e.Output("info", "--format", "{{.Host.OCIRuntime.Name}}"); err != nil {
		return nil, err
	} else if strings.TrimSpace(out) == "" {
		return nil, errors.New("podman info names no OCI runtime")
	}
	return e, nil
}

// Command returns a podman command with the engine's environment.
func (e *Engine) Command(args ...string) *exec.Cmd {
	cmd := exec.Command(e.Bin, args...)
	cmd.Env = e.Env
	return cmd
}

// A CommandError is a podman command that failed, with its output.
type CommandError struct {
	Args   []string
	Output string
	Err    error
}

func (e *CommandError) Error() string {
	return fmt.Sprintf("podman %s: %v: %s", strings.Join(e.Args, " "), e.Err, strings.TrimSpace(e.Output))
}

// Unwrap returns the command's own error (an *exec.ExitError).
func (e *CommandError) Unwrap() error { return e.Err }

// Output runs podman with args and returns its standard output; on failure
// the error is a *CommandError holding standard error too.
func (e *Engine) Output(args ...string) (string, error) {
	cmd := e.Command(args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), &CommandError{Args: args, Output: stderr.String() + stdout.String(), Err: err}
	}
	return stdout.String(), nil
}

// Must runs podman with args and fails t when it fails.
func (e *Engine) Must(t testing.TB, args ...string) string {
	t.Helper()
	out, err := e.Output(args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
