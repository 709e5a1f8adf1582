package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/srcpath"
)

// cliSyntax are the marks of dlvx's command line that must never reach
// the user of an editor: a dlvx command, its flags, Delve's terminal.
var cliSyntax = []string{"dlvx ", "--source", "-v", "break ", "config substitute-path", "docs/doctor.md"}

// Each command-line fix a producer makes has the editor wording the
// editor's renderers show instead; a fix only the command line has is
// left out.
func TestEditorWording(t *testing.T) {
	rebuild := dwarfcheck.RebuildFixes(dwarfcheck.NewInput("/build/app"))
	rule := srcpath.RuleFixes(srcpath.PathRule{From: "/home/ana/app", To: "/app"})
	tests := []struct {
		cli  string // the command line's fix text, as Brief prints it
		fix  finding.Fix
		want string // the editor's; "" for none
	}{
		{"let dlvx build it: dlvx debug .", rebuild[1], `or let Delve build it: "mode": "debug" in launch.json, "program" the main package's directory`},
		{"rebuild with DWARF and without optimizations: go build '-gcflags=all=-N -l' -o app-debug .", rebuild[0], "rebuild with DWARF and without optimizations: go build '-gcflags=all=-N -l' -o app-debug ."},
		{`launch.json: "substitutePath": [{"from": "/home/ana/app", "to": "/app"}]`, rule[0], `launch.json: "substitutePath": [{"from": "/home/ana/app", "to": "/app"}]`},
		{"dlvx CLI (binary path first): config substitute-path /app /home/ana/app", rule[1], ""},
	}
	for _, tc := range tests {
		if got := fixText(tc.fix); got != tc.cli {
			t.Errorf("command-line form %q, want %q", got, tc.cli)
		}
		got := ""
		if e, ok := tc.fix.ForEditor(); ok {
			got = fixText(e)
		}
		if got != tc.want {
			t.Errorf("%q in an editor: %q, want %q", tc.cli, got, tc.want)
		}
	}
}

// The editor's renderers print no command-line syntax in their fixes,
// point at the catalog with dlvx doctor --explain, and never say
// "(-v shows)".
func TestEditorRenderersHaveNoCLISyntax(t *testing.T) {
	rep := sample()
	c, err := ConsoleReport(rep)
	if err != nil {
		t.Fatal(err)
	}
	n, err := ConsoleFindings("dlvx", rep.Findings)
	if err != nil {
		t.Fatal(err)
	}
	texts := append([]string{c.Detail, n.Detail, Verdict(rep.Findings)}, c.Important...)
	for _, text := range texts {
		CheckEditorText(t, text)
	}
	if !strings.Contains(c.Detail, "more: dlvx doctor --explain BP-NODWARF") {
		t.Errorf("the console detail does not say where the catalog entry is:\n%s", c.Detail)
	}
	var cli bytes.Buffer
	if err := Text(&cli, rep, TextOptions{}); err != nil || !strings.Contains(cli.String(), "$ dlvx debug .") {
		t.Errorf("the command line's report lost its dlvx fix (%v):\n%s", err, cli.String())
	}
}

// CheckEditorText fails when text, shown to an editor's user, has a fix
// in command-line syntax or a command-line hint.
func CheckEditorText(t *testing.T, text string) {
	t.Helper()
	for _, bad := range []string{"(-v shows)", "docs/doctor.md", "(details in the Debug Console)"} {
		if strings.Contains(text, bad) {
			t.Errorf("editor text has %q:\n%s", bad, text)
		}
	}
	for line := range strings.SplitSeq(text, "\n") {
		l := strings.TrimSpace(line)
		if !strings.HasPrefix(l, "fix:") && !strings.HasPrefix(l, "$ ") {
			continue
		}
		for _, bad := range cliSyntax {
			if strings.Contains(l, bad) {
				t.Errorf("editor fix in command-line syntax (%q): %s", bad, l)
			}
		}
	}
}
