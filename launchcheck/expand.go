package launchcheck

import (
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Vars are what VS Code substitutes into a configuration before vscode-go
// sees it. Empty fields are unknown here and leave their variables
// unexpanded.
type Vars struct {
	WorkspaceFolder string              // the folder holding .vscode/
	File            string              // the file open in the editor, for ${file} and friends
	Cwd             string              // VS Code's own working directory, ${cwd}
	Home            string              // ${userHome}
	Getenv          func(string) string // ${env:NAME}; unset variables expand to ""
}

// An Unexpanded is a variable this machine cannot resolve: only the
// editor can (a command, an input prompt), or a value the doctor was not
// given (the open file).
type Unexpanded struct {
	Var string // "${command:pickProcess}"
	Why string
}

var varRef = regexp.MustCompile(`\$\{([^}]*)\}`)

// Expand substitutes VS Code's variables in s and returns what it could
// not substitute, each once.
func (v Vars) Expand(s string) (string, []Unexpanded) {
	var missing []Unexpanded
	seen := map[string]bool{}
	out := varRef.ReplaceAllStringFunc(s, func(ref string) string {
		val, why := v.lookup(ref[2 : len(ref)-1])
		if why != "" {
			if !seen[ref] {
				missing = append(missing, Unexpanded{Var: ref, Why: why})
				seen[ref] = true
			}
			return ref
		}
		return val
	})
	return out, missing
}

func (v Vars) lookup(name string) (val, why string) {
	if k, arg, ok := strings.Cut(name, ":"); ok {
		switch k {
		case "env":
			if v.Getenv == nil {
				return "", "no environment given"
			}
			return v.Getenv(strings.TrimSpace(arg)), ""
		case "command":
			return "", "a command of the editor (" + arg + ") resolves it when the session starts"
		case "input":
			return "", "an input prompt of the editor resolves it when the session starts"
		case "config":
			return "", "a setting of the editor; the doctor does not evaluate settings in launch.json"
		case "workspaceFolder":
			if v.WorkspaceFolder != "" && filepath.Base(v.WorkspaceFolder) == arg {
				return v.WorkspaceFolder, ""
			}
			return "", "names a folder of a multi-root workspace"
		}
		return "", "unknown variable"
	}
	ws, file := v.WorkspaceFolder, v.File
	needFile := "needs the file open in the editor (--file)"
	switch name {
	case "workspaceFolder", "workspaceRoot", "fileWorkspaceFolder":
		return ws, ""
	case "workspaceFolderBasename":
		return filepath.Base(ws), ""
	case "userHome":
		if v.Home == "" {
			return "", "home directory unknown"
		}
		return v.Home, ""
	case "cwd":
		if v.Cwd == "" {
			return "", "VS Code's working directory is unknown"
		}
		return v.Cwd, ""
	case "pathSeparator", "/":
		return string(filepath.Separator), ""
	case "file", "fileDirname", "fileBasename", "fileBasenameNoExtension", "fileExtname",
		"relativeFile", "relativeFileDirname", "fileDirnameBasename":
		if file == "" {
			return "", needFile
		}
		return fileVar(name, ws, file), ""
	case "lineNumber", "selectedText", "execPath", "defaultBuildTask", "columnNumber":
		return "", "known only to the running editor"
	}
	return "", "unknown variable"
}

func fileVar(name, ws, file string) string {
	rel := func(p string) string {
		if r, err := filepath.Rel(ws, p); err == nil {
			return r
		}
		return p
	}
	base := filepath.Base(file)
	switch name {
	case "file":
		return file
	case "fileDirname":
		return filepath.Dir(file)
	case "fileDirnameBasename":
		return filepath.Base(filepath.Dir(file))
	case "fileBasename":
		return base
	case "fileExtname":
		return filepath.Ext(file)
	case "fileBasenameNoExtension":
		return strings.TrimSuffix(base, filepath.Ext(base))
	case "relativeFile":
		return rel(file)
	}
	return rel(filepath.Dir(file)) // relativeFileDirname
}

// expandTree substitutes variables in every string of a decoded JSON value,
// as VS Code does for the whole configuration, and collects the misses.
func (v Vars) expandTree(x any, missing map[string]Unexpanded) any {
	switch t := x.(type) {
	case string:
		s, miss := v.Expand(t)
		for _, m := range miss {
			missing[m.Var] = m
		}
		return s
	case []any:
		for i := range t {
			t[i] = v.expandTree(t[i], missing)
		}
	case map[string]any:
		for k := range t {
			t[k] = v.expandTree(t[k], missing)
		}
	}
	return x
}

func sortedMissing(m map[string]Unexpanded) []Unexpanded {
	out := make([]Unexpanded, 0, len(m))
	for _, u := range m {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Var < out[j].Var })
	return out
}
