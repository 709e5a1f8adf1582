package main

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// dlvxAdditions lists what dlvx adds to dlv's command line: a command path
// mapped to its added flags, or to nil when the whole command is new. The
// parity test fails on anything else that differs.
var dlvxAdditions = map[string][]string{
	"attach": {"--no-preflight", "--stop-timeout"},
	"dap":    {"--stop-timeout"},
	"doctor": nil,
	"repair": nil,
	"trace":  {"--for", "--json"},
}

// dlvxGlobalAdditions are root persistent flags dlvx adds: every command's
// help lists them among its global flags.
var dlvxGlobalAdditions = []string{"--allow-remote"}

// surface maps each command path ("" for the root, "completion bash") to
// the flags its help lists, local and global.
type surface map[string][]string

var (
	helpFlag    = regexp.MustCompile(`^\s+(?:(-\w), )?(--[\w-]+)`)
	helpCommand = regexp.MustCompile(`^\s+([\w-]+)\s`)
)

// helpSurface walks a binary's help output from the root down.
func helpSurface(t *testing.T, bin string) surface {
	t.Helper()
	s := surface{}
	queue := []string{""}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		args := append(strings.Fields(path), "--help")
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "PATH=") // same view of rr for both binaries
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, out)
		}
		flags, subs := parseHelp(string(out))
		s[path] = flags
		for _, sub := range subs {
			if sub != "help" {
				queue = append(queue, strings.TrimSpace(path+" "+sub))
			}
		}
	}
	return s
}

// parseHelp returns the flags and subcommands of one cobra help page.
func parseHelp(out string) (flags, subs []string) {
	section := ""
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, " ") {
			section = strings.TrimSuffix(strings.TrimSpace(line), ":")
			continue
		}
		switch section {
		case "Flags", "Global Flags":
			if m := helpFlag.FindStringSubmatch(line); m != nil {
				if m[1] != "" {
					flags = append(flags, m[1])
				}
				flags = append(flags, m[2])
			}
		case "Available Commands":
			if m := helpCommand.FindStringSubmatch(line); m != nil {
				subs = append(subs, m[1])
			}
		}
	}
	slices.Sort(flags)
	return slices.Compact(flags), subs
}

// upstreamDlv returns upstream dlv at the pinned version, which make test
// and make bench pass in DLVX_UPSTREAM_DLV, through fixtures.Need.
func upstreamDlv(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("DLVX_UPSTREAM_DLV")
	fixtures.Need(t, bin != "", "DLVX_UPSTREAM_DLV is not set: run the tests through make test (make upstream-dlv builds it)")
	return bin
}

func TestParityWithUpstreamDlv(t *testing.T) {
	up := helpSurface(t, upstreamDlv(t))
	ours := helpSurface(t, dlvxBin)
	if len(up) < 10 {
		t.Fatalf("upstream help lists only %d commands: the help parser is broken", len(up))
	}
	for path, flags := range up {
		got, ok := ours[path]
		if !ok {
			t.Errorf("dlvx lacks the command %q", "dlv "+path)
			continue
		}
		for _, f := range flags {
			if !slices.Contains(got, f) {
				t.Errorf("dlvx %s lacks the flag %s", path, f)
			}
		}
	}
	for path, flags := range ours {
		added, known := dlvxAdditions[path]
		upFlags, inUpstream := up[path]
		switch {
		case !inUpstream && !(known && added == nil):
			t.Errorf("dlvx has the command %q that dlv lacks: list it in dlvxAdditions", path)
		case inUpstream:
			for _, f := range flags {
				if !slices.Contains(upFlags, f) && !slices.Contains(added, f) && !slices.Contains(dlvxGlobalAdditions, f) {
					t.Errorf("dlvx %s has the flag %s that dlv lacks: list it in dlvxAdditions", path, f)
				}
			}
		}
	}
}

// TestHiddenCommandsKept checks the commands help does not list, which
// tools call directly (VS Code Go runs substitute-path-guess-helper).
func TestHiddenCommandsKept(t *testing.T) {
	root := newRoot()
	var hidden []string
	for _, c := range root.Commands() {
		if c.Hidden {
			hidden = append(hidden, c.Name())
		}
	}
	if !slices.Contains(hidden, "substitute-path-guess-helper") {
		t.Errorf("hidden commands %v lack substitute-path-guess-helper", hidden)
	}
	for _, name := range hidden {
		if out, err := exec.Command(dlvxBin, name, "--help").CombinedOutput(); err != nil {
			t.Errorf("dlvx %s --help: %v\n%s", name, err, out)
		}
	}
}
