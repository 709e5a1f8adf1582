package launchcheck

import (
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
	"github.com/go-delve/delve/pkg/goversion"
	"github.com/tailscale/hujson"
)

// Settings are the vscode-go settings that choose the dlv it starts.
type Settings struct {
	AlternateDlv string   // go.alternateTools.dlv
	ToolsGopath  string   // go.toolsGopath
	Gopath       string   // go.gopath
	Read         []string // settings files read, user first
	// TestFlags are go.testFlags, or go.buildFlags without them: what
	// vscode-go's "debug test" puts in buildFlags (up to -args).
	// TestFlagsFrom names the setting and its file.
	TestFlags     []string
	TestFlagsFrom string
}

// ReadSettings reads the user's settings, then the workspace's, which
// override them. Missing files are skipped; a file that does not parse is
// an error.
func ReadSettings(files ...string) (*Settings, error) {
	s := &Settings{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("read settings: %w", err)
		}
		std, err := hujson.Standardize(data)
		if err != nil {
			return nil, &ParseError{Path: f, Err: err}
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(std, &m); err != nil {
			return nil, &ParseError{Path: f, Err: err}
		}
		var alt map[string]string
		if json.Unmarshal(m["go.alternateTools"], &alt) == nil && alt["dlv"] != "" {
			s.AlternateDlv = alt["dlv"]
		}
		json.Unmarshal(m["go.toolsGopath"], &s.ToolsGopath)
		json.Unmarshal(m["go.gopath"], &s.Gopath)
		s.readTestFlags(f, m)
		s.Read = append(s.Read, f)
	}
	return s, nil
}

// UserSettingsFile is where VS Code keeps the user's settings on Linux.
func UserSettingsFile(home string) string {
	return filepath.Join(home, ".config", "Code", "User", "settings.json")
}

// A Dlv is the debugger vscode-go would start, and why.
type Dlv struct {
	Path  string
	Why   string   // "go.alternateTools", "GOBIN", "go.toolsGopath", "GOPATH", "GOROOT", "PATH"
	Tried []string // directories searched, in order, when not found
}

// GoEnv is the output of "go env -json GOPATH GOROOT GOBIN": vscode-go
// copies it into its environment where the variable is unset.
type GoEnv struct{ GOPATH, GOROOT, GOBIN string }

// ResolveDlv returns the dlv vscode-go would start, in its order: an
// absolute go.alternateTools.dlv that is executable; else the first of
// GOBIN, go.toolsGopath/bin, GOPATH/bin (go.gopath, else $GOPATH),
// GOROOT/bin and PATH holding "dlv" (or the alternate tool's name).
func ResolveDlv(s *Settings, v Vars, goenv GoEnv) Dlv {
	expand := func(p string) string {
		p, _ = v.Expand(p)
		if strings.HasPrefix(p, "~") && v.Home != "" {
			p = filepath.Join(v.Home, p[1:])
		}
		return p
	}
	name := "dlv"
	if alt := expand(s.AlternateDlv); alt != "" {
		if filepath.IsAbs(alt) && executable(alt) {
			return Dlv{Path: alt, Why: "go.alternateTools"}
		}
		if !filepath.IsAbs(alt) {
			name = alt
		}
	}
	env := func(k, fallback string) string {
		if x := v.getenv(k); x != "" {
			return x
		}
		return fallback
	}
	gopath := expand(s.Gopath)
	if gopath == "" {
		gopath = env("GOPATH", goenv.GOPATH)
	}
	type place struct{ why, dirs string }
	places := []place{{"GOBIN", env("GOBIN", goenv.GOBIN)}}
	places = append(places, place{"go.toolsGopath", binDirs(expand(s.ToolsGopath))}, place{"GOPATH", binDirs(gopath)})
	places = append(places, place{"GOROOT", binDirs(env("GOROOT", goenv.GOROOT))}, place{"PATH", v.getenv("PATH")})
	d := Dlv{}
	for _, p := range places {
		for _, dir := range filepath.SplitList(p.dirs) {
			if dir == "" || slices.Contains(d.Tried, dir) {
				continue
			}
			cand := filepath.Join(dir, name)
			if executable(cand) {
				return Dlv{Path: cand, Why: p.why}
			}
			d.Tried = append(d.Tried, dir)
		}
	}
	return d
}

// binDirs appends /bin to each entry of a GOPATH-style list.
func binDirs(list string) string {
	var out []string
	for _, p := range filepath.SplitList(list) {
		if p != "" {
			out = append(out, filepath.Join(p, "bin"))
		}
	}
	return strings.Join(out, string(filepath.ListSeparator))
}

func executable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// readGoEnv runs "go env" as vscode-go does at activation.
func readGoEnv(dir string) GoEnv {
	cmd := exec.Command("go", "env", "-json", "GOPATH", "GOROOT", "GOBIN")
	cmd.Dir = dir
	var e GoEnv
	if out, err := cmd.Output(); err == nil {
		json.Unmarshal(out, &e)
	}
	return e
}

// DelveOf reads the Delve version a dlv (or dlvx) was built from and the
// Go that built it, from its build information.
func DelveOf(path string) (delve, goVer string, err error) {
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return "", "", fmt.Errorf("read build information of %s: %w", path, err)
	}
	const mod = "github.com/go-delve/delve"
	if bi.Main.Path == mod {
		return bi.Main.Version, bi.GoVersion, nil
	}
	for _, d := range bi.Deps {
		if d.Path == mod {
			return d.Version, bi.GoVersion, nil
		}
	}
	return "", bi.GoVersion, nil
}

var delveMinor = regexp.MustCompile(`^v1\.(\d+)\.`)

// supportedGo returns the Go minor versions a Delve release supports:
// Delve v1.N.x accepts Go 1.(N-2) through 1.N since v1.22 (v1.27.2's
// pkg/goversion: 1.25 through 1.27). ok is false for other versions.
func supportedGo(delve string) (lo, hi int, ok bool) {
	m := delveMinor.FindStringSubmatch(delve)
	if m == nil {
		return 0, 0, false
	}
	n, _ := strconv.Atoi(m[1])
	if n < 22 {
		return 0, 0, false
	}
	return n - 2, n, true
}

// checkDlv finds the dlv vscode-go would start and judges it against the
// binary: its Delve's supported Go versions (ENV-VERSION-DLV) and, through
// dwarfcheck's DWARF-version check, the DWARF it can read (ENV-DWARF5).
func checkDlv(t *Target) ([]finding.Finding, error) {
	l := t.L
	if _, ok := l.remoteAddr(); ok || l.DebugAdapter == "legacy" {
		return nil, nil // vscode-go connects to a server, or runs its own adapter
	}
	d := t.Opt.dlv
	at := l.At(t.File, "type")
	if d.Path == "" {
		fd := finding.New("ENV-VERSION-NODLV", finding.Evidencef(at, "%s: vscode-go looks for dlv in %s", l.Cfg.Label(), finding.ListSome(d.Tried, 6)))
		fd.Fixes = []finding.Fix{{Summary: "install dlvx, or set \"go.alternateTools\": {\"dlv\": \"/path/to/dlvx\"}", Command: []string{"go", "install", "github.com/go-delve/delve/cmd/dlv@latest"}}}
		return []finding.Finding{fd}, nil
	}
	delve, dlvGo, err := DelveOf(d.Path)
	which := finding.Evidencef("host:"+d.Path, "vscode-go starts %s (found through %s): Delve %s built with %s", d.Path, d.Why, orUnknown(delve), orUnknown(dlvGo))
	if err != nil {
		which.Fact = fmt.Sprintf("vscode-go starts %s (found through %s): %v", d.Path, d.Why, err)
	}
	out := []finding.Finding{finding.New("ENV-VERSION-WHICH", which)}
	bin, err := t.Binary()
	if bin == nil || err != nil {
		return out, nil
	}
	if fd, ok := dlvRange(bin.in, delve, which); ok {
		out = append(out, fd)
	}
	bin.in.ForeignDlv = func() (string, error) { return d.Path, nil }
	res, err := finding.Run(bin.in, finding.Select(dwarfcheck.BinaryChecks, []string{dwarfcheck.DWARFVersion.Name}, nil), finding.Options{})
	if err != nil {
		return out, err
	}
	for _, f := range res.Findings {
		if f.ID == "ENV-DWARF5" {
			f.Evidence = append(f.Evidence, which)
			out = append(out, f)
		}
	}
	return out, nil
}

// dlvRange compares the binary's Go version with the range the dlv's
// Delve supports.
func dlvRange(in *dwarfcheck.Input, delve string, which finding.Evidence) (finding.Finding, bool) {
	lo, hi, ok := supportedGo(delve)
	bi, err := in.BuildInfo()
	if !ok || err != nil {
		return finding.Finding{}, false
	}
	v, ok := goversion.Parse(bi.GoVersion)
	if !ok || v.Major != 1 || (v.Minor >= lo && v.Minor <= hi) {
		return finding.Finding{}, false
	}
	fd := finding.New("ENV-VERSION-DLV", finding.Evidencef("buildinfo:"+in.Path, "built with %s", bi.GoVersion), which,
		finding.Evidencef("delve", "Delve %s supports go1.%d through go1.%d", delve, lo, hi))
	fd.Fixes = []finding.Fix{
		{Summary: "make vscode-go start dlvx: \"go.alternateTools\": {\"dlv\": \"/path/to/dlvx\"}"},
		{Summary: "or reinstall dlv with a current Go", Command: []string{"go", "install", "github.com/go-delve/delve/cmd/dlv@latest"}},
	}
	return fd, true
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

func lookPath(name string) (string, error) { return exec.LookPath(name) }
