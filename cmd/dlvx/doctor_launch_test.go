package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/dlvx/dlvx/launchcheck"
	"github.com/go-delve/delve/service/rpc2"
)

// startRPCServer runs `debugger exec --headless` on loopback, with
// --accept-multiclient when multi, and returns its address.
func startRPCServer(t *testing.T, debugger, bin string, multi bool) string {
	t.Helper()
	args := []string{"exec", "--headless", "--listen", "127.0.0.1:0", "--api-version", "2"}
	if multi {
		args = append(args, "--accept-multiclient")
	}
	cmd := exec.Command(debugger, append(args, bin, "--", "-n", "1000000")...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	listening := regexp.MustCompile(`API server listening at: 127\.0\.0\.1:(\d+)`)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			go func() {
				for sc.Scan() {
				}
			}()
			return m[1]
		}
	}
	t.Fatalf("%s exited without listening", debugger)
	return ""
}

// TestDoctorLaunchRemote: an attach to a real headless server, dlvx's and
// upstream dlv's (DLVX_UPSTREAM_DLV, which make test sets; under CI its
// absence fails the dlv case). A multi-client server is asked its version
// and sources, and the rules are judged against them; a single-client
// server is left alone, and still serves a client after.
func TestDoctorLaunchRemote(t *testing.T) {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	servers := map[string]func(*testing.T) string{
		"dlvx": func(*testing.T) string { return dlvxBin },
		"dlv":  func(t *testing.T) string { return upstreamDlv(t) },
	}
	ws := filepath.Join(t.TempDir(), "checkout")
	copyTree(t, fixtures.Dir("worker"), ws)
	built := filepath.ToSlash(fixtures.Dir("worker"))
	for _, name := range []string{"dlvx", "dlv"} {
		t.Run(name, func(t *testing.T) {
			debugger := servers[name](t)
			port := startRPCServer(t, debugger, bin, true)
			cases := []struct {
				rules string
				want  []string
			}{
				{fmt.Sprintf(`[{"from": "${workspaceFolder}", "to": %q},]`, built), []string{"ENV-IDECONF-REMOTE"}},
				{`[{"from": "${workspaceFolder}", "to": "/app"},]`, []string{"ENV-IDECONF-REMOTE", "ENV-IDECONF-SUBPATH"}},
				{fmt.Sprintf(`[{"from": %q, "to": "${workspaceFolder}"},]`, built), []string{"ENV-IDECONF-REMOTE", "ENV-IDECONF-SUBPATH-REVERSED"}},
			}
			for _, tc := range cases {
				rep := launchDoctor(t, ws, fmt.Sprintf(`{
  // attach to the headless server
  "configurations": [
    {"name": "remote", "type": "go", "request": "attach", "mode": "remote",
     "port": %s, "substitutePath": %s,},
  ],
}`, port, tc.rules))
				got := launchIDs(rep)
				if !slices.Equal(got, tc.want) {
					t.Errorf("rules %s: got %v, want %v", tc.rules, got, tc.want)
				}
				if len(rep.PathRules) > 0 && rep.PathRules[0].To != built {
					t.Errorf("corrected rule %v, want to = %s", rep.PathRules[0], built)
				}
			}
			single := startRPCServer(t, debugger, bin, false)
			rep := launchDoctor(t, ws, fmt.Sprintf(`{"configurations": [{"name": "r", "type": "go", "request": "attach", "mode": "remote", "port": %s}]}`, single))
			if got := launchIDs(rep); !slices.Equal(got, []string{"ENV-IDECONF-REMOTE-SINGLE"}) {
				t.Errorf("single-client server: got %v", got)
			}
			c := rpc2.NewClient("127.0.0.1:" + single) // the doctor left it for this client
			if _, err := c.GetState(); err != nil {
				t.Errorf("single-client server after the doctor: %v", err)
			}
		})
	}
}

func launchDoctor(t *testing.T, ws, launch string) *finding.Report {
	t.Helper()
	path := filepath.Join(ws, ".vscode", "launch.json")
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(launch), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := launchcheck.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := launchcheck.Doctor(f, launchcheck.Options{
		Vars:     launchcheck.Vars{WorkspaceFolder: ws, Home: t.TempDir(), Getenv: func(string) string { return "" }},
		Settings: &launchcheck.Settings{},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) > 0 {
		t.Fatal(rep.Errors[0])
	}
	return rep
}

func launchIDs(rep *finding.Report) []string {
	var ids []string
	for _, f := range rep.Findings {
		if f.ID != "ENV-VERSION-WHICH" && f.ID != "ENV-VERSION-NODLV" {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

// copyTree copies a fixture directory: the editor's checkout elsewhere.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	if out, err := exec.Command("cp", "-r", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("cp -r %s %s: %v\n%s", src, dst, err, out)
	}
}
