package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/dlvx/dlvx/internal/podman"
)

// The container tests run dlvx against the service fixture in real podman
// containers: from the host, inside the service's container (podman exec)
// and from a sidecar sharing its PID namespace. One image, holding a
// static dlvx and the service, serves the whole test binary.

// attachScript is the init script of a one-shot attach: it proves the
// debugger read the process, then detaches.
const attachScript = "funcs main.handle\nexit -d\n"

// ctrImage is the image every container test uses.
type ctrImage struct {
	e       *podman.Engine
	name    string
	seccomp string // a seccomp profile denying ptrace (a host file)
}

var (
	imageOnce sync.Once
	image     *ctrImage
	imageErr  error
)

// containerImage returns the test image, built on first use.
func containerImage(t *testing.T) *ctrImage {
	t.Helper()
	e := podman.Need(t)
	imageOnce.Do(func() { image, imageErr = buildImage(t, e) })
	if imageErr != nil {
		t.Fatalf("build the container image: %v", imageErr)
	}
	return image
}

func buildImage(t *testing.T, e *podman.Engine) (*ctrImage, error) {
	dir := filepath.Dir(dlvxBin) // TestMain removes it
	static := filepath.Join(dir, "dlvx-static")
	cmd := exec.Command("go", "build", "-o", static, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build (CGO_ENABLED=0): %w\n%s", err, out)
	}
	svc, err := fixtures.BuildErr("service", fixtures.Variant{Name: "static-noopt",
		Flags: []string{"-gcflags=all=-N -l"}, Env: []string{"CGO_ENABLED=0"}})
	if err != nil {
		return nil, err
	}
	profile := filepath.Join(dir, "seccomp-noptrace.json")
	rules := `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["ptrace"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}`
	if err := os.WriteFile(profile, []byte(rules), 0o644); err != nil {
		return nil, err
	}
	name := e.Image(t, []podman.File{
		{Path: "/app/service", From: svc},
		{Path: "/usr/local/bin/dlvx", From: static},
		{Path: "/tmp/attach.dlv", Data: attachScript},
	})
	return &ctrImage{e: e, name: name, seccomp: profile}, nil
}

// A svc is the service fixture running in a container.
type svc struct {
	c    *podman.Container
	pid  int    // on the host
	addr string // where it listens, on the host network
}

// startService runs the service with the given podman run options.
func (im *ctrImage) startService(t *testing.T, o podman.Options) *svc {
	t.Helper()
	o.Image, o.Cmd = im.name, []string{"/app/service"}
	c := im.e.Run(t, o)
	addr := strings.TrimSpace(c.WaitLog(t, "listen ", 30*time.Second))
	return &svc{c: c, pid: c.PID(t), addr: addr}
}

// serving checks the service answers, twice: a breakpoint instruction left
// in the handler would kill it at the first request.
func (s *svc) serving(t *testing.T) {
	t.Helper()
	cl := http.Client{Timeout: 5 * time.Second}
	for range 2 {
		resp, err := cl.Get("http://" + s.addr + "/")
		if err != nil {
			t.Fatalf("the service stopped serving: %v (status %+v)", err, procStatus(t, s.pid))
		}
		resp.Body.Close()
	}
	switch st := procStatus(t, s.pid); {
	case st == nil:
		t.Fatalf("the service is gone")
	case stopped(st):
		t.Fatalf("the service is left stopped: State %s", st.StateText)
	case st.TracerPid != 0:
		t.Fatalf("the service is left traced by %d", st.TracerPid)
	}
}

// run runs podman with args and returns its combined output and exit status.
func (im *ctrImage) run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := im.e.Command(args...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("podman %s: %v", strings.Join(args, " "), err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

// sidecarArgs returns podman run's arguments for a sidecar of s running argv.
func (im *ctrImage) sidecarArgs(s *svc, opts []string, argv ...string) []string {
	args := append([]string{"run", "--rm", "--network=host", "--pid=container:" + s.c.Name}, opts...)
	return append(append(args, im.name), argv...)
}

// oneShot is dlvx attach with the one-shot script, for pid as seen there.
func oneShot(dlvx string, pid int) []string {
	return []string{dlvx, "attach", "--init", "/tmp/attach.dlv", "--allow-non-terminal-interactive=true", strconv.Itoa(pid)}
}

// attached fails t unless a one-shot attach succeeded.
func attached(t *testing.T, where, out string, code int) {
	t.Helper()
	if code != 0 || !strings.Contains(out, "main.handle") {
		t.Fatalf("%s: attach failed (exit status %d):\n%s", where, code, out)
	}
}

// refused fails t unless an attach was refused naming cause, and returns
// its output.
func refused(t *testing.T, where, out string, code int, cause string) string {
	t.Helper()
	if code == 0 || !strings.Contains(out, "("+cause+":") {
		t.Fatalf("%s: want a refusal naming %s, got exit status %d:\n%s", where, cause, code, out)
	}
	return out
}

// doctorFixes runs dlvx doctor --pid --json (argv is its command, podman
// arguments included) and returns the fix commands of the finding id.
func (im *ctrImage) doctorFixes(t *testing.T, id string, args ...string) [][]string {
	t.Helper()
	out, _ := im.run(t, args...)
	var rep struct {
		Findings []struct {
			ID    string `json:"id"`
			Fixes []struct {
				Command []string `json:"command"`
			} `json:"fixes"`
		} `json:"findings"`
	}
	start := strings.Index(out, "{")
	if start < 0 || json.Unmarshal([]byte(out[start:]), &rep) != nil {
		t.Fatalf("doctor printed no JSON report:\n%s", out)
	}
	var fixes [][]string
	for _, f := range rep.Findings {
		if f.ID != id {
			continue
		}
		for _, fx := range f.Fixes {
			if len(fx.Command) > 0 {
				fixes = append(fixes, fx.Command)
			}
		}
		return fixes
	}
	t.Fatalf("doctor did not report %s:\n%s", id, out)
	return nil
}

// applyFix runs a podman command a finding proposed, made non-interactive
// and pointed at the test image and its one-shot script, and returns its
// output and exit status.
func (im *ctrImage) applyFix(t *testing.T, argv []string) (string, int) {
	t.Helper()
	if len(argv) < 2 || argv[0] != "podman" {
		t.Fatalf("fix is not a podman command: %q", argv)
	}
	var args []string
	for _, a := range argv[1:] {
		switch a {
		case "-it":
		case "IMAGE":
			args = append(args, im.name)
		case "attach":
			args = append(args, a, "--init", "/tmp/attach.dlv", "--allow-non-terminal-interactive=true")
		default:
			args = append(args, a)
		}
	}
	if args[0] == "run" {
		args = slices.Insert(args, 1, "--network=host")
	}
	t.Logf("applying the fix: podman %s", strings.Join(args, " "))
	return im.run(t, args...)
}

// fixWith returns the first fix whose command has every word.
func fixWith(t *testing.T, fixes [][]string, words ...string) []string {
	t.Helper()
	for _, f := range fixes {
		ok := true
		for _, w := range words {
			ok = ok && slices.Contains(f, w)
		}
		if ok {
			return f
		}
	}
	t.Fatalf("no fix with %q among %q", words, fixes)
	return nil
}
