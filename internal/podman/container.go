package podman

import (
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Options are the podman run options a debugging setup varies.
type Options struct {
	Name        string   // container name; empty picks a unique one
	Image       string   // from Engine.Image
	Cmd         []string // the command to run
	CapAdd      []string // --cap-add, e.g. "SYS_PTRACE"
	CapDrop     []string // --cap-drop, e.g. "ALL"
	SecurityOpt []string // --security-opt, e.g. "seccomp=/path/profile.json"
	User        string   // --user, e.g. "1000:1000"
	PID         string   // --pid, e.g. "container:NAME" for a sidecar
	Env         []string // --env KEY=VALUE
	Interactive bool     // -i: keep standard input open
}

var seq atomic.Int64

// args returns podman run's arguments for o, without the command. Every
// container uses the host network, so tests reach servers on 127.0.0.1.
func (o Options) args() []string {
	a := []string{"--name", o.Name, "--network=host"}
	for _, c := range o.CapAdd {
		a = append(a, "--cap-add="+c)
	}
	for _, c := range o.CapDrop {
		a = append(a, "--cap-drop="+c)
	}
	for _, s := range o.SecurityOpt {
		a = append(a, "--security-opt="+s)
	}
	if o.User != "" {
		a = append(a, "--user="+o.User)
	}
	if o.PID != "" {
		a = append(a, "--pid="+o.PID)
	}
	for _, e := range o.Env {
		a = append(a, "--env="+e)
	}
	if o.Interactive {
		a = append(a, "-i")
	}
	return append(append(a, o.Image), o.Cmd...)
}

// A Container is a container a test started; it is removed when the test
// ends.
type Container struct {
	E    *Engine
	Name string
}

func (e *Engine) prepare(t testing.TB, o *Options) *Container {
	t.Helper()
	if o.Name == "" {
		o.Name = fmt.Sprintf("dlvx-test-%d-%d", time.Now().UnixNano()%1e9, seq.Add(1))
	}
	c := &Container{E: e, Name: o.Name}
	t.Cleanup(func() {
		// A paused container cannot be removed until it is thawed.
		e.Output("unpause", c.Name)
		if out, err := e.Output("rm", "-f", "-t", "0", c.Name); err != nil && !strings.Contains(out+err.Error(), "no such container") {
			t.Logf("remove container %s: %v", c.Name, err)
		}
	})
	return c
}

// Run starts a detached container.
func (e *Engine) Run(t testing.TB, o Options) *Container {
	t.Helper()
	c := e.prepare(t, &o)
	e.Must(t, append([]string{"run", "-d"}, o.args()...)...)
	return c
}

// Start starts a container in the foreground and returns the podman run
// command, started, with its standard streams as given (nil discards).
// Standard input is kept open when stdin is not nil.
func (e *Engine) Start(t testing.TB, o Options, stdin io.Reader, stdout, stderr io.Writer) (*Container, *exec.Cmd) {
	t.Helper()
	o.Interactive = o.Interactive || stdin != nil
	c := e.prepare(t, &o)
	cmd := e.Command(append([]string{"run"}, o.args()...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return c, cmd
}

// PID returns the host PID of the container's first process.
func (c *Container) PID(t testing.TB) int {
	t.Helper()
	out := c.E.Must(t, "inspect", "--format", "{{.State.Pid}}", c.Name)
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil || pid <= 0 {
		t.Fatalf("container %s: no host PID in %q", c.Name, out)
	}
	return pid
}

// Exec runs argv in the container with extra podman exec options (such as
// "--user=0") and returns its combined output and error.
func (c *Container) Exec(opts []string, argv ...string) (string, error) {
	args := append(append([]string{"exec"}, opts...), c.Name)
	out, err := c.E.Output(append(args, argv...)...)
	if ce, ok := err.(*CommandError); ok {
		return ce.Output, err
	}
	return out, err
}

// Logs returns what the container's processes wrote so far.
func (c *Container) Logs(t testing.TB) string {
	t.Helper()
	cmd := c.E.Command("logs", c.Name)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("podman logs %s: %v: %s", c.Name, err, out)
	}
	return string(out)
}

// WaitLog polls the container's logs until a line starts with prefix and
// returns the rest of that line; it fails t after the timeout.
func (c *Container) WaitLog(t testing.TB, prefix string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for tick := time.NewTicker(50 * time.Millisecond); ; <-tick.C {
		logs := c.Logs(t)
		for _, line := range strings.Split(logs, "\n") {
			if rest, ok := strings.CutPrefix(line, prefix); ok {
				tick.Stop()
				return rest
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("container %s: no line %q within %v; logs:\n%s", c.Name, prefix, timeout, logs)
		}
	}
}

// Pause freezes the container (the cgroup freezer).
func (c *Container) Pause(t testing.TB) { t.Helper(); c.E.Must(t, "pause", c.Name) }

// Unpause thaws it.
func (c *Container) Unpause(t testing.TB) { t.Helper(); c.E.Must(t, "unpause", c.Name) }

// Stop stops the container: SIGTERM, then SIGKILL after timeout seconds.
func (c *Container) Stop(t testing.TB, timeout int) {
	t.Helper()
	c.E.Must(t, "stop", "-t", strconv.Itoa(timeout), c.Name)
}

// Signal sends sig (a name such as "TERM") to the container's first process.
func (c *Container) Signal(t testing.TB, sig string) {
	t.Helper()
	c.E.Must(t, "kill", "--signal", sig, c.Name)
}
