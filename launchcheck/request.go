package launchcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/srcpath"
)

// The checks Request runs that differ from a launch.json's: the flags
// alone (Delve builds next, not the doctor), and substitutePath against an
// exec or core target only.
var (
	requestFlags   = &Check{Name: "build-flags", Doc: "judge buildFlags and GOFLAGS as Delve will build with them\n\nLints the flags; Delve builds the program after the lint.", Requires: []*Check{Mode}, Run: checkFlags}
	requestSubPath = &Check{Name: "substitute-path", Doc: "judge substitutePath against the exec or core target's files\n\nApplies the rules to the workspace's files and prints the rule the binary needs.", Requires: []*Check{Mode}, Run: checkSubstitutePath}
)

// RequestChecks are the checks Request runs on a DAP launch or attach
// request, before Delve builds or starts anything.
var RequestChecks = []*Check{Attributes, Mode, Cwd, EnvFile, TestArgs, requestFlags, requestSubPath}

// requestModes are the modes Delve's DAP server accepts: vscode-go has
// already turned "auto" into debug or test.
var requestModes = map[string][]string{
	"launch": {"debug", "test", "exec", "replay", "core"},
	"attach": {"local", "remote"},
}

// delveAttrs are the attributes Delve's DAP server reads (its LaunchConfig,
// AttachConfig and LaunchAttachCommonConfig) that vscode-go's schema does
// not declare. Attributes starting with "__" are VS Code's and vscode-go's
// own (__buildDir, __sessionId) and are never reported.
var delveAttrs = map[string][]string{
	"launch": {"dlvCwd", "showRawStrings", "dlvToolPath", "packagePathToGoModPathMap"},
	"attach": {"guessSubstitutePath", "showRawStrings", "followExec", "followExecRegex", "dlvToolPath", "packagePathToGoModPathMap"},
}

// RequestOptions say where a DAP request is judged.
type RequestOptions struct {
	// Dir is the debugger's working directory: Delve resolves relative
	// paths against it, or against the request's dlvCwd. vscode-go starts
	// the debugger in the workspace folder, or in the package directory
	// of a debug build.
	Dir string
	// Getenv reads the debugger's environment, which its builds inherit
	// (GOFLAGS); nil reads nothing.
	Getenv func(string) string
	finding.Options
}

// ErrNotObject reports request arguments that are not a JSON object.
var ErrNotObject = errors.New("arguments are not a JSON object")

// ParseRequest returns the configuration the arguments of a DAP launch or
// attach request carry: VS Code sends the whole resolved configuration.
// Attribute order is kept; a repeated key keeps its last value, as
// Delve's decoder does.
func ParseRequest(command string, args []byte) (*Config, error) {
	dec := json.NewDecoder(bytes.NewReader(args))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, ErrNotObject
	}
	c := &Config{Attrs: map[string]Attr{}, Request: command}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%s arguments: %w", command, err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%s arguments: %q: %w", command, key, err)
		}
		if _, seen := c.Attrs[key]; !seen {
			c.Keys = append(c.Keys, key)
		}
		c.Attrs[key] = Attr{Key: key, Value: raw}
	}
	c.Name, _ = c.String("name")
	return c, nil
}

// ResolveRequest reads a request's configuration as Delve will: no
// variable is left to expand, the request is the DAP command, mode
// defaults to debug or local, and relative paths are relative to dir.
func (c *Config) ResolveRequest(dir string) *Launch {
	l := c.decode(nil)
	l.FromRequest = true
	l.Request = c.Request
	l.Mode = l.WrittenMode
	if l.Mode == "" {
		l.Mode = map[string]string{"launch": "debug", "attach": "local"}[l.Request]
	}
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	l.Cwd, l.Output, l.CoreFilePath = abs(l.Cwd), abs(l.Output), abs(l.CoreFilePath)
	if l.Program != "" && (strings.HasPrefix(l.Program, ".") || !looksLikeImportPath(l.Program)) {
		l.Program = abs(l.Program)
	}
	return l
}

// Request judges the arguments of a DAP launch or attach request, what VS
// Code actually sent, before Delve builds or starts anything: unknown and
// misspelled attributes, mode against program, cwd, build flags, and for
// exec and core targets the substitutePath rules. It builds nothing and
// starts nothing.
func Request(command string, args []byte, ro RequestOptions) (*finding.Report, error) {
	c, err := ParseRequest(command, args)
	if err != nil {
		return nil, err
	}
	dir := ro.Dir
	if d, ok := c.String("dlvCwd"); ok && d != "" {
		dir = joinDir(dir, d)
	}
	l := c.ResolveRequest(dir)
	opt := Options{
		Vars:    Vars{WorkspaceFolder: requestWorkspace(l, dir), Cwd: dir, Getenv: ro.Getenv},
		Options: ro.Options,
		noBuild: true,
	}
	t := &Target{File: "dap:" + command, L: l, Opt: &opt}
	defer t.Close()
	res, err := finding.Run(t, RequestChecks, opt.Options)
	if err != nil {
		return nil, err
	}
	what := command + " request"
	if c.Name != "" {
		what = fmt.Sprintf("%s request of configuration %q", command, c.Name)
	}
	rep := &finding.Report{Binary: what, Result: *res}
	if t.corrected != nil {
		rep.PathRules = []finding.PathRule{*t.corrected}
	}
	return rep, nil
}

func joinDir(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// requestWorkspace names the editor's workspace folder for judging
// substitutePath, which a request does not carry: the nearest module root
// at or above dir (vscode-go starts the debugger in the workspace folder,
// or in a package directory of it), else the first rule's "from" that is
// a module root here; "" when there is none, and then no rule is judged.
func requestWorkspace(l *Launch, dir string) string {
	for d := filepath.Clean(dir); filepath.IsAbs(d); d = filepath.Dir(d) {
		if srcpath.IsModuleRoot(d) {
			return d
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	for _, r := range l.SubstitutePath {
		if srcpath.IsModuleRoot(r.From) {
			return filepath.Clean(r.From)
		}
	}
	return ""
}

// checkFlags lints the build flags without building.
func checkFlags(t *Target) ([]finding.Finding, error) { return t.lintFlags(), nil }

// knownAttrs returns the attributes the configuration's reader knows:
// VS Code's and vscode-go's for launch.json, Delve's too for a request.
func (t *Target) knownAttrs() []string {
	all := append(slices.Clone(vscodeAttrs), goAttrs[t.L.Request]...)
	if t.L.FromRequest {
		all = append(all, delveAttrs[t.L.Request]...)
	}
	return all
}

// modes returns the valid modes of the configuration's request.
func (t *Target) modes() []string {
	if t.L.FromRequest {
		return requestModes[t.L.Request]
	}
	return modes[t.L.Request]
}
