package main

import (
	"os/exec"
	"strings"
	"testing"
)

func TestRenameDlv(t *testing.T) {
	for in, want := range map[string]string{
		"see 'dlv help log'":                  "see 'dlvx help log'",
		"`dlv exec ./hello -- server`":        "`dlvx exec ./hello -- server`",
		"dlv":                                 "dlvx",
		"relative to dlv's working directory": "relative to dlvx's working directory",
		"$HOME/.config/dlv/config.yml":        "$HOME/.config/dlv/config.yml",
		"the dlv-dap adapter":                 "the dlv-dap adapter",
		"cmd/dlv/cmds":                        "cmd/dlv/cmds",
		"dlvArgs":                             "dlvArgs",
	} {
		if got := renameDlv(in); got != want {
			t.Errorf("renameDlv(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHelpSaysDlvx(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help", "exec"}, {"help", "dap"}, {"help", "test"}, {"help", "log"}, {"attach", "--help"}} {
		out, err := exec.Command(dlvxBin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("dlvx %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		if loc := dlvWord.FindIndex(out); loc != nil {
			t.Errorf("dlvx %s still says dlv: %q", strings.Join(args, " "), out[max(0, loc[0]-30):min(len(out), loc[1]+30)])
		}
		if strings.Contains(string(out), "Usage:") && !strings.Contains(string(out), "Usage:\n  dlvx") {
			t.Errorf("dlvx %s never says dlvx:\n%s", strings.Join(args, " "), out)
		}
	}
}

func TestVersionNamesPatches(t *testing.T) {
	out, err := exec.Command(dlvxBin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("dlvx version: %v\n%s", err, out)
	}
	for _, want := range []string{"dlvx ", "Version: 1.27.2", "0001-terminal-detach-on-eof-at-kill-prompt: "} {
		if !strings.Contains(string(out), want) {
			t.Errorf("dlvx version lacks %q:\n%s", want, out)
		}
	}
}
