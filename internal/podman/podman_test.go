package podman

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dlvx/dlvx/internal/fixtures"
)

func TestMain(m *testing.M) {
	code := m.Run()
	fixtures.Cleanup()
	os.Exit(code)
}

var static = fixtures.Variant{Name: "static", Env: []string{"CGO_ENABLED=0"}}

// TestRunPauseExec runs the service fixture in a container, reaches it on
// the host network, execs in it, and pauses and thaws it.
func TestRunPauseExec(t *testing.T) {
	e := Need(t)
	bin := fixtures.Build(t, "service", static)
	img := e.Image(t, []File{{Path: "/app/service", From: bin}})
	c := e.Run(t, Options{Image: img, Cmd: []string{"/app/service"}})
	if got := strings.TrimSpace(c.WaitLog(t, "ready ", 30*time.Second)); got != "1" {
		t.Errorf("service's PID inside: %q, want 1", got)
	}
	addr := strings.TrimSpace(c.WaitLog(t, "listen ", 30*time.Second))
	get := func() error {
		cl := http.Client{Timeout: 2 * time.Second}
		resp, err := cl.Get("http://" + addr + "/")
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := get(); err != nil {
		t.Fatal(err)
	}
	if pid := c.PID(t); pid <= 1 {
		t.Errorf("host PID %d", pid)
	}
	if _, err := c.Exec(nil, "/no/such/program"); err == nil {
		t.Error("exec of a missing program succeeded")
	}
	c.Pause(t)
	if err := get(); err == nil {
		t.Error("a paused container answered")
	}
	c.Unpause(t)
	if err := get(); err != nil {
		t.Errorf("after unpause: %v", err)
	}
}
