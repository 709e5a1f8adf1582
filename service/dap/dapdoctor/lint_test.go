package dapdoctor

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/dlvx/dlvx/launchcheck"
	"github.com/dlvx/dlvx/service/dap"
	delvedap "github.com/go-delve/delve/service/dap"
)

// A wrong substitutePath on an exec launch: one important line for the
// finding, and the detail with the rule the binary's file table calls
// for. With that rule the lint says nothing.
func TestLint(t *testing.T) {
	var d Doctor
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	ws := filepath.Join(t.TempDir(), "checkout")
	if out, err := exec.Command("cp", "-r", fixtures.Dir("worker"), ws).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	// dlvCwd: Delve's working directory, where vscode-go starts it.
	args := func(to string) json.RawMessage {
		return json.RawMessage(fmt.Sprintf(`{"name": "exec", "mode": "exec", "program": %q, "dlvCwd": %q, "substitutePath": [{"from": %q, "to": %q}]}`, bin, ws, ws, to))
	}
	rep, err := d.Lint(t.Context(), dap.LintRequest{Command: "launch", Args: args("/go/src/worker")})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Important) != 1 || !strings.HasPrefix(rep.Important[0], "dlvx doctor: ENV-IDECONF-SUBPATH error: ") {
		t.Fatalf("important lines %q, want one ENV-IDECONF-SUBPATH", rep.Important)
	}
	want := fmt.Sprintf(`{"from": "${workspaceFolder}", "to": %q}`, fixtures.Dir("worker"))
	if !strings.Contains(rep.Detail, want) || !strings.Contains(rep.Detail, "evidence: dap:launch.arguments.substitutePath") {
		t.Errorf("detail does not give %s from the request:\n%s", want, rep.Detail)
	}
	rep, err = d.Lint(t.Context(), dap.LintRequest{Command: "launch", Args: args(fixtures.Dir("worker"))})
	if err != nil || len(rep.Important) != 0 || rep.Detail != "" {
		t.Errorf("corrected rule: %+v, %v; want nothing to say", rep, err)
	}
	if _, err := d.Lint(t.Context(), dap.LintRequest{Command: "launch", Args: json.RawMessage(`"exec"`)}); err == nil {
		t.Error("arguments that are not an object: no error")
	}
}

// A restart that changes buildFlags gets ENV-IDECONF-RESTART naming the
// attribute; one that changes only the program's arguments, nothing.
func TestLintRestart(t *testing.T) {
	var d Doctor
	launched := json.RawMessage(`{"name": "Launch Package", "mode": "debug", "program": ".", "args": ["-n", "1"], "env": {}}`)
	rep, err := d.Lint(t.Context(), dap.LintRequest{Command: "restart", Launched: launched,
		Args: json.RawMessage(`{"name": "Launch Package", "mode": "debug", "program": ".", "args": ["-n", "1"], "buildFlags": "-tags=feature"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Important) != 1 || !strings.HasPrefix(rep.Important[0], "dlvx doctor: ENV-IDECONF-RESTART warning: ") ||
		!strings.Contains(rep.Detail, `evidence: dap:restart.arguments.buildFlags  configuration "Launch Package": the session was launched with (none), the restart asks for "-tags=feature"`) {
		t.Errorf("changed buildFlags: %+v", rep)
	}
	rep, err = d.Lint(t.Context(), dap.LintRequest{Command: "restart", Launched: launched,
		Args: json.RawMessage(`{"name": "Launch Package", "mode": "debug", "program": ".", "args": ["-n", "2"], "env": {}}`)})
	if err != nil || len(rep.Important) != 0 {
		t.Errorf("changed args only: %+v, %v; want nothing to say", rep, err)
	}
}

// TestLintKnowsDelvesAttributes: every attribute Delve's DAP server reads,
// in a launch and in an attach, is known to the lint: none is reported as
// unknown or as the other request's.
func TestLintKnowsDelvesAttributes(t *testing.T) {
	for command, cfg := range map[string]any{"launch": delvedap.LaunchConfig{}, "attach": delvedap.AttachConfig{}} {
		args := map[string]any{}
		for _, tag := range jsonTags(reflect.TypeOf(cfg)) {
			args[tag] = nil
		}
		raw, _ := json.Marshal(args)
		rep, err := launchcheck.Request(command, raw, launchcheck.RequestOptions{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Findings {
			if f.ID == "ENV-IDECONF-UNKNOWN" || f.ID == "ENV-IDECONF-REQATTR" {
				t.Errorf("%s: %s: %s", command, f.ID, f.Evidence[0].Fact)
			}
		}
		if len(args) < 10 {
			t.Errorf("%s: only %d attributes found in Delve's %T", command, len(args), cfg)
		}
	}
}

// jsonTags returns the JSON names of a struct's fields, embedded structs
// included.
func jsonTags(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, jsonTags(f.Type)...)
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}
