package launchcheck

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/dlvx/dlvx/srcpath"
	"github.com/go-delve/delve/pkg/config"
)

// A Launch is a Go configuration after variable expansion and vscode-go's
// defaults: what Delve will be asked to do.
type Launch struct {
	Cfg     *Config
	Type    string // "go"
	Request string // "launch" or "attach"
	// Mode is the mode as vscode-go resolves it: "auto" becomes "test"
	// for a program ending in _test.go, else "debug"; an attach without
	// mode is "local". WrittenMode is the attribute as written.
	Mode, WrittenMode string
	Program           string // absolute when relative to the workspace
	Cwd               string // "" when not set
	Output            string
	CoreFilePath      string
	Host              string
	Port              int
	DebugAdapter      string // "dlv-dap" unless written
	RemotePath        string
	Backend           string
	NoDebug           bool
	// BuildFlags as Delve receives them, split; BuildFlagsString says the
	// attribute was a string (vscode-go drops its -gcflags).
	BuildFlags       []string
	BuildFlagsString bool
	// Args are the program's arguments; in test mode, the test binary's.
	Args           []string
	Env            map[string]string
	EnvFile        []string // "envFile", one path or several
	SubstitutePath []srcpath.PathRule
	// Missing lists, by attribute, the variables that could not be
	// expanded; those attributes are not judged further.
	Missing map[string][]Unexpanded
	// Errors lists attributes of the wrong JSON type.
	Errors map[string]error
	// FromRequest says the configuration is a DAP request's arguments
	// (ParseRequest): VS Code and vscode-go have already resolved it, and
	// Delve reads it as it is.
	FromRequest bool
}

// IsGo reports whether the configuration is for vscode-go's debugger.
func (c *Config) IsGo() bool {
	t, _ := c.String("type")
	return t == "go"
}

// Resolve expands the configuration's variables with v and applies
// vscode-go's defaults.
func (c *Config) Resolve(v Vars) *Launch {
	l := c.decode(&v)
	l.defaults(v)
	return l
}

// decode reads each attribute into a Launch, expanding variables with v;
// a nil v expands nothing.
func (c *Config) decode(v *Vars) *Launch {
	l := &Launch{Cfg: c, DebugAdapter: "dlv-dap", Missing: map[string][]Unexpanded{}, Errors: map[string]error{}}
	for _, key := range c.Keys {
		var x any
		if err := json.Unmarshal(c.Attrs[key].Value, &x); err != nil {
			l.Errors[key] = err
			continue
		}
		if v != nil {
			missing := map[string]Unexpanded{}
			x = v.expandTree(x, missing)
			if len(missing) > 0 {
				l.Missing[key] = sortedMissing(missing)
				continue
			}
		}
		if err := l.set(key, x); err != nil {
			l.Errors[key] = err
		}
	}
	return l
}

func (l *Launch) set(key string, x any) error {
	str := func(dst *string) error {
		s, ok := x.(string)
		if !ok {
			return fmt.Errorf("%q must be a string, not %T", key, x)
		}
		*dst = s
		return nil
	}
	switch key {
	case "type":
		return str(&l.Type)
	case "request":
		return str(&l.Request)
	case "mode":
		return str(&l.WrittenMode)
	case "program":
		return str(&l.Program)
	case "cwd":
		return str(&l.Cwd)
	case "output":
		return str(&l.Output)
	case "coreFilePath":
		return str(&l.CoreFilePath)
	case "host":
		return str(&l.Host)
	case "debugAdapter":
		return str(&l.DebugAdapter)
	case "remotePath":
		return str(&l.RemotePath)
	case "backend":
		return str(&l.Backend)
	case "noDebug":
		l.NoDebug, _ = x.(bool)
	case "port":
		f, ok := x.(float64)
		if !ok {
			return fmt.Errorf(`"port" must be a number, not %T`, x)
		}
		l.Port = int(f)
	case "buildFlags":
		return l.setBuildFlags(x)
	case "args":
		return l.setArgs(x)
	case "env":
		m, ok := x.(map[string]any)
		if !ok {
			return fmt.Errorf(`"env" must be an object, not %T`, x)
		}
		l.Env = map[string]string{}
		for k, v := range m {
			if s, ok := v.(string); ok {
				l.Env[k] = s
			}
		}
	case "substitutePath":
		return l.setRules(x)
	case "envFile":
		return l.setEnvFile(x)
	}
	return nil
}

func (l *Launch) setBuildFlags(x any) error {
	_, l.BuildFlagsString = x.(string)
	var err error
	l.BuildFlags, err = stringList("buildFlags", x, func(s string) []string {
		return config.SplitQuotedFields(s, '\'') // as Delve splits it
	})
	return err
}

func (l *Launch) setArgs(x any) error {
	var err error
	l.Args, err = stringList("args", x, strings.Fields)
	return err
}

// stringList reads an attribute that is one string (split by split) or an
// array of strings.
func stringList(key string, x any, split func(string) []string) ([]string, error) {
	switch t := x.(type) {
	case string:
		return split(t), nil
	case []any:
		var out []string
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%q elements must be strings, not %T", key, e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%q must be a string or an array of strings, not %T", key, x)
}

func (l *Launch) setRules(x any) error {
	arr, ok := x.([]any)
	if !ok {
		return fmt.Errorf(`"substitutePath" must be an array, not %T`, x)
	}
	for i, e := range arr {
		m, ok := e.(map[string]any)
		from, okF := m["from"].(string)
		to, okT := m["to"].(string)
		if !ok || !okF || !okT {
			return fmt.Errorf(`"substitutePath" entry %d needs string "from" and "to"`, i)
		}
		l.SubstitutePath = append(l.SubstitutePath, srcpath.PathRule{From: from, To: to})
	}
	return nil
}

// defaults applies what vscode-go fills in before Delve sees the request.
func (l *Launch) defaults(v Vars) {
	l.Mode = l.WrittenMode
	if l.Mode == "" {
		switch l.Request {
		case "launch":
			l.Mode = "auto"
		case "attach":
			l.Mode = "local"
		}
	}
	if l.Mode == "auto" {
		l.Mode = "debug"
		if strings.HasSuffix(l.Program, "_test.go") {
			l.Mode = "test"
		}
	}
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) || v.WorkspaceFolder == "" {
			return p
		}
		return filepath.Join(v.WorkspaceFolder, p)
	}
	if strings.HasPrefix(l.Cwd, "~") && v.Home != "" {
		l.Cwd = filepath.Join(v.Home, l.Cwd[1:])
	}
	l.Cwd, l.Output = abs(l.Cwd), abs(l.Output)
	if l.Program != "" && (strings.HasPrefix(l.Program, ".") || !looksLikeImportPath(l.Program)) {
		l.Program = abs(l.Program)
	}
}

// looksLikeImportPath tells a package path (example.com/cmd/app), which
// vscode-go leaves alone, from a relative file path.
func looksLikeImportPath(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	return strings.Contains(first, ".") && !strings.HasSuffix(p, ".go")
}

// At returns the evidence source for an attribute: "launch.json:12:7",
// or the configuration's position when the attribute is absent; for a DAP
// request, "dap:launch.arguments.buildFlags".
func (l *Launch) At(file, key string) string {
	if l.Cfg.Request != "" {
		return "dap:" + l.Cfg.Request + ".arguments." + key
	}
	if a, ok := l.Cfg.Attrs[key]; ok {
		return file + ":" + a.Pos.String()
	}
	return file + ":" + l.Cfg.Pos.String()
}
