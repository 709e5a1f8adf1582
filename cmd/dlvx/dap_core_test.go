package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	godap "github.com/google/go-dap"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// launchCore launches "mode": "core" through dlvx dap and returns the
// launch response, successful or not, and the output events before it.
func launchCore(t *testing.T, exe, core string) (godap.ResponseMessage, []*godap.OutputEvent) {
	t.Helper()
	c := dialDAP(t, startDAP(t).addr)
	c.response(c.request("initialize", map[string]any{"adapterID": "go", "linesStartAt1": true}))
	seq := c.request("launch", map[string]any{"mode": "core", "program": exe, "coreFilePath": core})
	var events []godap.EventMessage
	for {
		switch m := c.next().(type) {
		case godap.ResponseMessage:
			if m.GetResponse().RequestSeq == seq {
				return m, outputs(events)
			}
		case godap.EventMessage:
			events = append(events, m)
		}
	}
}

// importantCore returns the important output lines that name an
// ENV-CORE finding.
func importantCore(outs []*godap.OutputEvent) []string {
	var lines []string
	for _, o := range outs {
		if o.Body.Category == "important" && strings.Contains(o.Body.Output, "ENV-CORE-") {
			lines = append(lines, strings.TrimSpace(o.Body.Output))
		}
	}
	return lines
}

// TestDAPCoreLaunch: a core launch runs the core doctor. A good core
// loads with no core finding; another build loads (wrongly) and the
// doctor names it; a core Delve cannot load fails with the doctor's cause
// in the error VS Code shows.
func TestDAPCoreLaunch(t *testing.T) {
	exe, core := crashCore(t, fixtures.Default)
	other := fixtures.Build(t, "crash", fixtures.NoOpt)
	dir := t.TempDir()
	zst := filepath.Join(dir, "core.zst")
	if out, err := exec.Command(fixtures.NeedTool(t, "zstd"), "-q", core, "-o", zst).CombinedOutput(); err != nil {
		t.Fatalf("zstd: %v\n%s", err, out)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, exe, core string
		loads           bool
		want            string // the ENV-CORE ID of the important line, or ""
		delveSays       string // Delve's own error, kept in the message
	}{
		{"good", exe, core, true, "", ""},
		{"other-build", other, core, true, "ENV-CORE-MISMATCH", ""},
		{"zstd", exe, zst, false, "ENV-CORE-COMPRESSED", "unrecognized core format"},
		{"empty", exe, empty, false, "ENV-CORE-EMPTY", "EOF"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, outs := launchCore(t, tc.exe, tc.core)
			lines := importantCore(outs)
			if tc.want == "" && len(lines) > 0 || tc.want != "" && (len(lines) == 0 || !strings.Contains(lines[0], tc.want)) {
				t.Errorf("important core lines %q, want %q", lines, tc.want)
			}
			if resp.GetResponse().Success != tc.loads {
				t.Fatalf("launch success %v, want %v: %#v", resp.GetResponse().Success, tc.loads, resp)
			}
			if tc.loads {
				return
			}
			e, ok := resp.(*godap.ErrorResponse)
			if !ok || e.Body.Error == nil {
				t.Fatalf("launch failed without an error body: %#v", resp)
			}
			msg := e.Body.Error.Format
			t.Logf("launch error: %s", msg)
			if !strings.Contains(msg, tc.delveSays) || !strings.Contains(msg, "dlvx doctor: "+tc.want) {
				t.Errorf("launch error %q: want Delve's %q and the doctor's %s", msg, tc.delveSays, tc.want)
			}
		})
	}
}
