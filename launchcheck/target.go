package launchcheck

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
)

// Options say what the doctor may read and start.
type Options struct {
	Vars Vars
	// Config selects one configuration by name; "" checks every Go one.
	Config string
	// Settings is where vscode-go's settings are read, for the dlv it
	// starts; nil reads .vscode/settings.json and the user's settings.
	Settings *Settings
	// ProbeRemote allows contacting a remote server whose process this
	// machine cannot see, although a single-client server would exit.
	ProbeRemote bool
	// Host is where the LSM, rr and eBPF checks read; nil is this machine.
	Host *Host
	// Backend ("rr") and EBPF ask for those prerequisites.
	Backend string
	EBPF    bool
	// TempDir receives the debug builds; "" uses os.MkdirTemp. The
	// caller removes it (Doctor does when it made it).
	TempDir string
	// BuildTimeout bounds each debug build; 0 means 3 minutes.
	BuildTimeout time.Duration
	finding.Options

	dlv     Dlv  // resolved once per Doctor
	noBuild bool // a DAP request: Delve makes the debug build, not the doctor
}

// A Target is what the checks of one configuration read.
type Target struct {
	File string // launch.json as named in evidence
	L    *Launch
	Opt  *Options

	remote    *remoteInfo       // the server checkRemote probed, or nil
	corrected *finding.PathRule // the substitutePath rule the binary needs, when the configured ones fail
	envFile   *envFileVars      // envFile's variables, once read
	bin       *binary           // the debug build or the exec/core target, once made
	binErr    error
	built     bool
}

// binary is the executable a configuration debugs.
type binary struct {
	in      *dwarfcheck.Input
	command []string // the build command, when the doctor built it
	dir     string   // where it ran
	built   bool     // false for exec and core targets
}

// ErrNotBuilt: the configuration names no binary the doctor can read
// (attach, remote, a program it cannot resolve).
var ErrNotBuilt = errors.New("no binary to read for this configuration")

// A BuildError reports a debug build that failed: the session would stop
// with "Build error: Check the debug console for details".
type BuildError struct {
	Command []string
	Dir     string
	Output  string
	Err     error
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("%s (in %s): %v: %s", strings.Join(e.Command, " "), e.Dir, e.Err, strings.TrimSpace(e.Output))
}
func (e *BuildError) Unwrap() error { return e.Err }

// Binary returns the executable the configuration debugs: for launch in
// debug or test mode, a build made the way Delve's DAP server makes it
// (from the program's directory, with -gcflags=all=-N -l and the flags
// vscode-go passes on); for exec and core, the program itself.
func (t *Target) Binary() (*binary, error) {
	if !t.built {
		t.built = true
		t.bin, t.binErr = t.makeBinary()
	}
	return t.bin, t.binErr
}

func (t *Target) makeBinary() (*binary, error) {
	l := t.L
	if l.Request != "launch" || l.Program == "" || len(l.Missing["program"]) > 0 {
		return nil, ErrNotBuilt
	}
	switch l.Mode {
	case "exec", "core":
		if st, err := os.Stat(l.Program); err != nil || st.IsDir() {
			return nil, ErrNotBuilt
		}
		return &binary{in: newBinaryInput(l.Program)}, nil
	case "debug", "test":
		if t.Opt.noBuild {
			return nil, ErrNotBuilt
		}
	default:
		return nil, ErrNotBuilt
	}
	dir, pkg := buildDir(l.Program)
	if dir == "" {
		return nil, ErrNotBuilt
	}
	out := filepath.Join(t.Opt.TempDir, fmt.Sprintf("__debug_bin%d", l.Cfg.Index))
	argv := DebugBuildCommand(l, out, pkg)
	timeout := t.Opt.BuildTimeout
	if timeout == 0 {
		timeout = 3 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = t.buildEnv()
	outb, err := cmd.CombinedOutput()
	if err == nil {
		_, err = os.Stat(out) // go test -c writes nothing for a package without tests
	}
	if err != nil {
		return nil, &BuildError{Command: argv, Dir: dir, Output: string(outb), Err: err}
	}
	return &binary{in: newBinaryInput(out), command: argv, dir: dir, built: true}, nil
}

// newBinaryInput opens a binary for dwarfcheck without the checks that
// read the editor's machine (git, the dlv on PATH): the launch doctor
// judges the dlv vscode-go resolves itself.
func newBinaryInput(path string) *dwarfcheck.Input {
	in := dwarfcheck.NewInput(path)
	in.GitHead, in.ForeignDlv = nil, nil
	return in
}

// buildDir returns where vscode-go runs the debug build (the program's
// directory, or the file's) and the package argument relative to it.
func buildDir(program string) (dir, pkg string) {
	st, err := os.Stat(program)
	switch {
	case err == nil && st.IsDir():
		return program, "."
	case err == nil && strings.HasSuffix(program, ".go"):
		return filepath.Dir(program), "./" + filepath.Base(program)
	}
	return "", ""
}

// DebugBuildCommand returns the go command Delve's DAP server runs for l:
// its -gcflags=all=-N -l after the flags of an array buildFlags and before
// those of a string, whose -gcflags vscode-go has removed.
func DebugBuildCommand(l *Launch, out, pkg string) []string {
	argv := []string{"go", "build"}
	if l.Mode == "test" {
		argv = []string{"go", "test", "-c"}
	}
	ours := []string{"-o", out, "-gcflags", "all=-N -l"}
	if l.BuildFlagsString {
		argv = append(append(argv, ours...), withoutGcflags(l.BuildFlags)...)
	} else {
		argv = append(append(argv, l.BuildFlags...), ours...)
	}
	return append(argv, pkg)
}

// buildEnv is the debugger's environment plus envFile's variables and
// the configuration's env, in vscode-go's order (env wins), with the
// -gcflags vscode-go removes from env.GOFLAGS removed. envFile's GOFLAGS
// keeps them: vscode-go merges the file after removing them.
func (t *Target) buildEnv() []string {
	env := os.Environ()
	for _, k := range sortedKeys(t.envFileVars().vars) {
		env = append(env, k+"="+t.envFileVars().vars[k])
	}
	for k, v := range t.L.Env {
		if k == "GOFLAGS" {
			v = strings.Join(withoutGcflags(strings.Fields(v)), " ")
		}
		env = append(env, k+"="+v)
	}
	return env
}

// withoutGcflags drops -gcflags and its value, as vscode-go's
// removeGcflags does for a string buildFlags and for env.GOFLAGS.
func withoutGcflags(flags []string) []string {
	var out []string
	for i := 0; i < len(flags); i++ {
		switch f := flags[i]; {
		case f == "-gcflags" || f == "--gcflags":
			i++
		case strings.HasPrefix(f, "-gcflags=") || strings.HasPrefix(f, "--gcflags="):
		default:
			out = append(out, f)
		}
	}
	return out
}

// Close releases the binary's files.
func (t *Target) Close() error {
	if t.bin != nil {
		return t.bin.in.Close()
	}
	return nil
}

// goConfigs returns the configurations to check: the Go ones, or the one
// named.
func goConfigs(f *File, name string) ([]*Config, error) {
	var out, names []*Config
	for _, c := range f.Configs {
		if name != "" && c.Name != name {
			names = append(names, c)
			continue
		}
		out = append(out, c)
	}
	if name != "" && len(out) == 0 {
		var all []string
		for _, c := range names {
			all = append(all, c.Name)
		}
		return nil, &ConfigNotFoundError{Name: name, Known: all}
	}
	return slices.DeleteFunc(out, func(c *Config) bool { return name == "" && !c.IsGo() }), nil
}

// A ConfigNotFoundError reports a --config name launch.json lacks.
type ConfigNotFoundError struct {
	Name  string
	Known []string
}

func (e *ConfigNotFoundError) Error() string {
	return fmt.Sprintf("no configuration named %q; known: %s", e.Name, strings.Join(e.Known, ", "))
}
