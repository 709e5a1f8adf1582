package launchcheck

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dlvx/dlvx/finding"
)

// checkMode compares mode with program (package directory, file,
// executable, core) the way Delve will use them.
func checkMode(t *Target) ([]finding.Finding, error) {
	l := t.L
	if len(l.Missing["program"]) > 0 || len(l.Missing["mode"]) > 0 {
		return nil, nil // reported by checkVariables
	}
	if valid := t.modes(); !slices.Contains(valid, l.Mode) && l.WrittenMode != "" {
		fd := finding.New("ENV-IDECONF-MODE-UNKNOWN", finding.Evidencef(l.At(t.File, "mode"), `%s: "mode": %q is not a mode of %q (%s)`, l.Cfg.Label(), l.WrittenMode, l.Request, strings.Join(valid, ", ")))
		if c := finding.Closest(l.WrittenMode, valid, 1); len(c) > 0 {
			fd.Fixes = []finding.Fix{{Summary: fmt.Sprintf(`"mode": %q`, c[0])}}
		}
		return []finding.Finding{fd}, nil
	}
	switch {
	case l.Request == "launch" && l.Mode == "remote":
		fd := finding.New("ENV-IDECONF-LAUNCH-REMOTE", finding.Evidencef(l.At(t.File, "request"), `%s: "request": "launch" with "mode": "remote"`, l.Cfg.Label()))
		fd.Fixes = []finding.Fix{{Summary: `use "request": "attach", "mode": "remote"`}}
		return []finding.Finding{fd}, nil
	case l.Request == "attach" && l.Mode == "local":
		return checkProcessID(t), nil
	case l.Request != "launch" || l.Mode == "replay":
		return nil, nil
	}
	if l.Program == "" {
		fd := finding.New("ENV-IDECONF-NOPROGRAM", finding.Evidencef(l.At(t.File, "program"), `%s: no "program" in mode %q`, l.Cfg.Label(), l.Mode))
		fd.Fixes = []finding.Fix{{Summary: `"program": "${workspaceFolder}" (the main package), or the executable for exec and core`}}
		return []finding.Finding{fd}, nil
	}
	st, err := os.Stat(l.Program)
	if err != nil {
		if looksLikeImportPath(l.Program) && l.Mode != "exec" && l.Mode != "core" {
			return nil, nil // a package path: go build resolves it
		}
		fd := finding.New("ENV-IDECONF-PROGRAM", finding.Evidencef(l.At(t.File, "program"), "%s: %v", l.Cfg.Label(), err))
		return []finding.Finding{fd}, nil
	}
	return t.modeAgainstProgram(st)
}

func (t *Target) modeAgainstProgram(st os.FileInfo) ([]finding.Finding, error) {
	l := t.L
	kind := programKind(l.Program, st)
	switch l.Mode {
	case "debug", "test":
		if kind == "executable" {
			fd := t.modeFinding("program", "mode %q builds a package, but %s is an executable", l.Mode, l.Program)
			fd.Fixes = []finding.Fix{{Summary: `"mode": "exec"`}}
			return []finding.Finding{fd}, nil
		}
		if kind == "other" {
			return []finding.Finding{t.modeFinding("program", "mode %q needs a package directory or a .go file, but %s is neither", l.Mode, l.Program)}, nil
		}
		if l.Mode == "test" && kind == "file" && !strings.HasSuffix(l.Program, "_test.go") {
			fd := t.modeFinding("program", `mode "test" with %s, which is not a _test.go file`, l.Program)
			fd.Fixes = []finding.Fix{{Summary: fmt.Sprintf(`"program": %q (the package directory)`, filepath.Dir(l.Program))}}
			return []finding.Finding{fd}, nil
		}
		if kind == "file" && l.Mode == "debug" {
			return t.programFile()
		}
	case "exec", "core":
		if kind != "executable" {
			fd := t.modeFinding("program", "mode %q needs an executable, but %s is a %s", l.Mode, l.Program, kind)
			if kind == "directory" || kind == "file" {
				fd.Fixes = []finding.Fix{{Summary: `"mode": "debug" (Delve builds it), or "program": the built executable`}}
			}
			return []finding.Finding{fd}, nil
		}
		if l.Mode == "core" {
			if _, err := os.Stat(l.CoreFilePath); err != nil || l.CoreFilePath == "" {
				fd := finding.New("ENV-IDECONF-NOCORE", finding.Evidencef(l.At(t.File, "coreFilePath"), `%s: "coreFilePath": %q: the core file is missing`, l.Cfg.Label(), l.CoreFilePath))
				return []finding.Finding{fd}, nil
			}
		}
	}
	return nil, nil
}

// modeFinding reports mode and program disagreeing; the evidence says how.
func (t *Target) modeFinding(key, format string, args ...any) finding.Finding {
	return finding.New("ENV-IDECONF-MODE", finding.Evidencef(t.L.At(t.File, key), t.L.Cfg.Label()+": "+format, args...))
}

// checkProcessID reports an attach in mode local that names no process:
// vscode-go then opens its process picker (waitFor aside).
func checkProcessID(t *Target) []finding.Finding {
	l := t.L
	if _, ok := l.Cfg.Attrs["waitFor"]; ok || l.FromRequest {
		return nil // a request without either: Delve's own error says it
	}
	pid, ok := l.Cfg.Attrs["processId"]
	if ok && string(pid.Value) != "0" {
		return nil
	}
	fact := `no "processId"`
	if ok {
		fact = `"processId": 0`
	}
	fd := finding.New("ENV-IDECONF-NOPID", finding.Evidencef(l.At(t.File, "processId"), "%s: %s in mode %q", l.Cfg.Label(), fact, l.Mode))
	fd.Fixes = []finding.Fix{{Summary: `"processId": "${command:pickGoProcess}" (Go processes only), a process name, or "waitFor": NAME`}}
	return []finding.Finding{fd}
}

// programKind classifies a program path: directory, file (.go),
// executable (ELF, or any file with an execute bit), other.
func programKind(p string, st os.FileInfo) string {
	switch {
	case st.IsDir():
		return "directory"
	case strings.HasSuffix(p, ".go"):
		return "file"
	}
	if f, err := elf.Open(p); err == nil {
		f.Close()
		return "executable"
	}
	if st.Mode()&0o111 != 0 {
		return "executable"
	}
	return "other"
}

// programFile reports a program naming one .go file of a package that has
// others: Delve builds that file alone, so the others are missing.
func (t *Target) programFile() ([]finding.Finding, error) {
	dir := filepath.Dir(t.L.Program)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	pkg := packageClause(t.L.Program)
	var others []string
	for _, e := range ents {
		n := e.Name()
		p := filepath.Join(dir, n)
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") || p == t.L.Program {
			continue
		}
		if packageClause(p) == pkg {
			others = append(others, n)
		}
	}
	if len(others) == 0 {
		return nil, nil
	}
	fd := finding.New("ENV-IDECONF-PROGFILE",
		finding.Evidencef(t.L.At(t.File, "program"), `%s: "program": %q`, t.L.Cfg.Label(), t.L.Program),
		finding.Evidencef("workspace", "package %s in %s also has %s", pkg, dir, finding.ListSome(others, 4)))
	fd.Fixes = []finding.Fix{{Summary: `"program": "${fileDirname}" (the package directory: ` + dir + ")"}}
	return []finding.Finding{fd}, nil
}

// packageClause returns the package name a Go file declares, or "".
func packageClause(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	for line := range bytes.Lines(data) {
		if rest, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("package ")); ok {
			return string(bytes.Fields(rest)[0])
		}
	}
	return ""
}

// checkCwd reports a working directory that does not exist: the launch
// fails before the program runs.
func checkCwd(t *Target) ([]finding.Finding, error) {
	l := t.L
	if l.Cwd == "" || len(l.Missing["cwd"]) > 0 {
		return nil, nil
	}
	st, err := os.Stat(l.Cwd)
	if err == nil && st.IsDir() {
		return nil, nil
	}
	fact := fmt.Sprintf("%s is not a directory", l.Cwd)
	if err != nil {
		fact = err.Error()
	}
	written, _ := l.Cfg.String("cwd")
	fd := finding.New("ENV-IDECONF-CWD", finding.Evidencef(l.At(t.File, "cwd"), "%s: \"cwd\": %q: %s", l.Cfg.Label(), written, fact))
	switch {
	case filepath.IsAbs(written) || strings.HasPrefix(written, "$"):
	case l.FromRequest:
		fd.Evidence = append(fd.Evidence, finding.Evidencef("delve:dap", "a relative cwd is joined to the debugger's working directory %s", t.Opt.Vars.Cwd))
	default:
		fd.Evidence = append(fd.Evidence, finding.Evidencef("vscode-go", "a relative cwd is joined to the workspace folder %s", t.Opt.Vars.WorkspaceFolder))
	}
	fd.Fixes = []finding.Fix{{Summary: `"cwd": "${workspaceFolder}" or an existing directory`}}
	return []finding.Finding{fd}, nil
}

// checkNoDebug reports "noDebug": true: the program runs without the
// debugger and no breakpoint is ever hit.
func checkNoDebug(t *Target) ([]finding.Finding, error) {
	if !t.L.NoDebug {
		return nil, nil
	}
	fd := finding.New("ENV-IDECONF-NODEBUG", finding.Evidencef(t.L.At(t.File, "noDebug"), `%s: "noDebug": true`, t.L.Cfg.Label()))
	fd.Fixes = []finding.Fix{{Summary: `remove "noDebug", and start with Run > Start Debugging (F5), not Run Without Debugging`}}
	return []finding.Finding{fd}, nil
}
