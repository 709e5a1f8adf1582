package launchcheck

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/dlvx/dlvx/finding"
)

// envFileVars are the variables of a configuration's envFile, as
// vscode-go reads them, and the files that could not be read.
type envFileVars struct {
	vars   map[string]string
	where  map[string]string // variable → the file that set it last
	failed map[string]error  // file → why it could not be read
}

// setEnvFile reads "envFile": one path, or an array of them.
func (l *Launch) setEnvFile(x any) error {
	var err error
	l.EnvFile, err = stringList("envFile", x, func(s string) []string { return []string{s} })
	return err
}

// envFileVars reads the configuration's envFile once: later files
// override earlier ones, as vscode-go's parseEnvFiles merges them. A
// relative path is taken from the workspace folder.
func (t *Target) envFileVars() *envFileVars {
	if t.envFile != nil {
		return t.envFile
	}
	e := &envFileVars{vars: map[string]string{}, where: map[string]string{}, failed: map[string]error{}}
	t.envFile = e
	if t.L.FromRequest {
		return e // Delve does not read envFile (checkEnvFile says so)
	}
	for _, f := range t.L.EnvFile {
		if !filepath.IsAbs(f) && t.Opt.Vars.WorkspaceFolder != "" {
			f = filepath.Join(t.Opt.Vars.WorkspaceFolder, f)
		}
		data, err := os.ReadFile(f)
		if err != nil {
			e.failed[f] = err
			continue
		}
		for k, v := range parseEnvFile(data, t.Opt.Vars.getenv) {
			e.vars[k], e.where[k] = v, f
		}
	}
	return e
}

// envLine is vscode-go's parseEnvFile line: KEY=VALUE or export KEY=VALUE.
var envLine = regexp.MustCompile(`^\s*(export\s+)?([\w.\-]+)\s*=\s*(.*)?\s*$`)

// envRef is a ${NAME} reference in a value.
var envRef = regexp.MustCompile(`\$\{([a-zA-Z]\w*)\}`)

// parseEnvFile parses an env file as vscode-go does: one variable per
// line, quotes stripped (\n in double quotes is a newline), ${NAME}
// replaced by the file's earlier variables or else by getenv.
func parseEnvFile(data []byte, getenv func(string) string) map[string]string {
	out := map[string]string{}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	for _, line := range strings.Split(string(data), "\n") {
		m := envLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		v := strings.TrimRight(m[3], " \t\r")
		if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
			v = strings.ReplaceAll(v, `\n`, "\n")
		}
		if v != "" && strings.ContainsAny(v[:1], `"'`) {
			v = v[1:]
		}
		if v != "" && strings.ContainsAny(v[len(v)-1:], `"'`) {
			v = v[:len(v)-1]
		}
		v = envRef.ReplaceAllStringFunc(v, func(ref string) string {
			name := ref[2 : len(ref)-1]
			if s, ok := out[name]; ok && s != "" {
				return s
			}
			if getenv != nil {
				return getenv(name)
			}
			return ""
		})
		out[m[2]] = v
	}
	return out
}

// checkEnvFile reports an envFile vscode-go cannot read (the session does
// not start), and, in a DAP request, an envFile that reached Delve, which
// does not read it.
func checkEnvFile(t *Target) ([]finding.Finding, error) {
	l := t.L
	if len(l.EnvFile) == 0 || len(l.Missing["envFile"]) > 0 {
		return nil, nil
	}
	at := l.At(t.File, "envFile")
	if l.FromRequest {
		fd := finding.New("ENV-IDECONF-ENVFILE-DAP", finding.Evidencef(at, "%s: \"envFile\": %s", l.Cfg.Label(), strings.Join(l.EnvFile, ", ")))
		fd.Fixes = []finding.Fix{{Summary: `put the variables in "env", or have the client merge the file into "env" (vscode-go does)`}}
		return []finding.Finding{fd}, nil
	}
	var out []finding.Finding
	e := t.envFileVars()
	for _, f := range sortedKeys(e.failed) {
		fd := finding.New("ENV-IDECONF-ENVFILE", finding.Evidencef(at, "%s: \"envFile\": %s: %v", l.Cfg.Label(), f, e.failed[f]))
		fd.Fixes = []finding.Fix{{Summary: `create the file, or give "envFile" its path: "${workspaceFolder}/.env"`}}
		out = append(out, fd)
	}
	return out, nil
}
