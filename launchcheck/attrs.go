package launchcheck

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/dlvx/dlvx/finding"
)

// vscodeAttrs are the attributes VS Code itself reads in every
// configuration, whatever its type.
var vscodeAttrs = []string{"type", "request", "name", "preLaunchTask", "postDebugTask",
	"internalConsoleOptions", "debugServer", "presentation", "serverReadyAction",
	"windows", "linux", "osx", "noDebug", "suppressMultipleSessionWarning"}

// goAttrs are the attributes vscode-go's schema declares (package.json,
// contributes.debuggers, 2026), per request.
var goAttrs = map[string][]string{
	"launch": {"apiVersion", "args", "asRoot", "backend", "buildFlags", "console", "coreFilePath",
		"cwd", "debugAdapter", "dlvFlags", "dlvLoadConfig", "env", "envFile", "followExec",
		"followExecRegex", "goroutineFilters", "hideSystemGoroutines", "host", "logDest",
		"logOutput", "maxArrayValues", "maxStringLen", "mode", "output", "outputMode", "port",
		"program", "showGlobalVariables", "showLog", "showPprofLabels", "showRegisters",
		"stackTraceDepth", "stderrTo", "stdinFrom", "stdoutTo", "stopOnEntry", "substitutePath",
		"trace", "traceDirPath"},
	"attach": {"apiVersion", "asRoot", "backend", "console", "cwd", "debugAdapter", "dlvFlags",
		"dlvLoadConfig", "goroutineFilters", "hideSystemGoroutines", "host", "logDest",
		"logOutput", "maxArrayValues", "maxStringLen", "mode", "port", "processId", "remotePath",
		"showGlobalVariables", "showLog", "showPprofLabels", "showRegisters", "stackTraceDepth",
		"stopOnEntry", "substitutePath", "trace", "waitFor"},
}

// modes are the values of "mode" per request.
var modes = map[string][]string{
	"launch": {"auto", "debug", "test", "exec", "replay", "core", "remote"},
	"attach": {"local", "remote"},
}

// checkAttributes reports attributes vscode-go does not know (with the
// closest known name), the legacy adapter and its attributes, and values
// of the wrong type.
func checkAttributes(t *Target) ([]finding.Finding, error) {
	l := t.L
	if _, ok := goAttrs[l.Request]; !ok {
		fd := finding.New("ENV-IDECONF-REQUEST", finding.Evidencef(l.At(t.File, "request"), "%s: \"request\": %q", l.Cfg.Label(), l.Request))
		fd.Fixes = []finding.Fix{{Summary: `"request": "launch" (Delve starts the program) or "attach" (a running process or server)`}}
		return []finding.Finding{fd}, nil
	}
	all := t.knownAttrs()
	var out []finding.Finding
	for _, key := range l.Cfg.Keys {
		switch {
		case slices.Contains(all, key):
			continue
		case key == "remotePath" && l.RemotePath != "":
			continue // ENV-IDECONF-LEGACY or ENV-IDECONF-REMOTEPATH below
		case l.FromRequest && strings.HasPrefix(key, "__"):
			continue // VS Code's and vscode-go's own: __buildDir, __sessionId
		}
		out = append(out, unknownAttr(t, key, all))
	}
	if l.DebugAdapter == "legacy" {
		fd := finding.New("ENV-IDECONF-LEGACY", finding.Evidencef(l.At(t.File, "debugAdapter"), `%s: "debugAdapter": "legacy"`, l.Cfg.Label()))
		fd.Fixes = []finding.Fix{{Summary: `remove "debugAdapter" (dlv-dap is the default); replace "remotePath" by a "substitutePath" rule`}}
		out = append(out, fd)
	} else if l.RemotePath != "" {
		fd := finding.New("ENV-IDECONF-REMOTEPATH", finding.Evidencef(l.At(t.File, "remotePath"), `%s: "remotePath": %q`, l.Cfg.Label(), l.RemotePath))
		fd.Fixes = []finding.Fix{{Summary: fmt.Sprintf(`use "substitutePath": [{"from": %q, "to": %q}]`, t.Opt.Vars.WorkspaceFolder, l.RemotePath)}}
		out = append(out, fd)
	}
	for _, key := range sortedKeys(l.Errors) {
		fd := finding.New("ENV-IDECONF-TYPE", finding.Evidencef(l.At(t.File, key), "%s: %v", l.Cfg.Label(), l.Errors[key]))
		out = append(out, fd)
	}
	return out, nil
}

// unknownAttr reports an attribute vscode-go does not know in this
// request: misspelled (with the closest known name) or one of the other
// request's attributes.
func unknownAttr(t *Target, key string, known []string) finding.Finding {
	l := t.L
	at := l.At(t.File, key)
	if other := otherRequest(l.Request); slices.Contains(goAttrs[other], key) {
		fd := finding.New("ENV-IDECONF-REQATTR", finding.Evidencef(at, "%s: %q is an attribute of %q configurations, not of %q ones", l.Cfg.Label(), key, other, l.Request))
		fd.Fixes = []finding.Fix{{Summary: fmt.Sprintf("remove %q, or make this an %q configuration", key, other)}}
		return fd
	}
	fd := finding.New("ENV-IDECONF-UNKNOWN", finding.Evidencef(at, "%s: %q is not an attribute of a Go %s configuration", l.Cfg.Label(), key, l.Request))
	if c := finding.Closest(key, known, 1); len(c) > 0 {
		fd.Evidence = append(fd.Evidence, finding.Evidencef("vscode-go:package.json", "the closest attribute vscode-go knows is %q", c[0]))
		fd.Fixes = []finding.Fix{{Summary: fmt.Sprintf("rename %q to %q", key, c[0])}}
	}
	return fd
}

func otherRequest(r string) string {
	if r == "launch" {
		return "attach"
	}
	return "launch"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkVariables names the variables only the editor can expand, and the
// attributes left unjudged because of them.
func checkVariables(t *Target) ([]finding.Finding, error) {
	var out []finding.Finding
	for _, key := range sortedKeys(t.L.Missing) {
		for _, u := range t.L.Missing[key] {
			fd := finding.New("ENV-IDECONF-VAR", finding.Evidencef(t.L.At(t.File, key), "%s: %q uses %s: %s", t.L.Cfg.Label(), key, u.Var, u.Why))
			out = append(out, fd)
		}
	}
	return out, nil
}
