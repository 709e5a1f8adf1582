package launchcheck

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestOldDlv: vscode-go would start a dlv of Delve v1.24.0 built with
// go1.24.0 (GOTOOLCHAIN), found in GOBIN ahead of the one on PATH: it
// neither supports the binary's Go nor reads its DWARF 5.
func TestOldDlv(t *testing.T) {
	old := fakeDlv(t, "go1.24.0", "v1.24.0")
	cur := fakeDlv(t, "", "v1.27.2")
	data, err := os.ReadFile(filepath.Join("testdata", "cases", "clean.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, c := newCase(t, data, "")
	c.opt.Settings = &Settings{}
	c.opt.Vars.Getenv = mapEnv(map[string]string{"GOBIN": filepath.Dir(old), "PATH": filepath.Dir(cur)})
	rep, err := Doctor(f, c.opt)
	if err != nil {
		t.Fatal(err)
	}
	got := ids(rep.Findings)
	if want := []string{"ENV-VERSION-DLV", "ENV-DWARF5"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, f := range rep.Findings {
		if f.ID == "ENV-VERSION-WHICH" && f.Evidence[0].Source != "host:"+old {
			t.Errorf("which dlv: %v, want %s (GOBIN before PATH)", f.Evidence[0], old)
		}
	}
}

// TestResolveDlvOrder follows vscode-go's order: an absolute alternate
// tool, GOBIN, go.toolsGopath, GOPATH, GOROOT, PATH.
func TestResolveDlvOrder(t *testing.T) {
	root := t.TempDir()
	mk := func(dir string) string {
		p := filepath.Join(root, dir, "dlv")
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	alt, gobin, tools, gopath, goroot, path := mk("alt"), mk("gobin"), mk("tools/bin"), mk("gopath/bin"), mk("goroot/bin"), mk("path")
	env := map[string]string{"GOBIN": filepath.Dir(gobin), "GOPATH": filepath.Join(root, "gopath"), "GOROOT": filepath.Join(root, "goroot"), "PATH": filepath.Dir(path)}
	s := &Settings{AlternateDlv: alt, ToolsGopath: filepath.Join(root, "tools")}
	steps := []struct {
		want, why string
		drop      func()
	}{
		{alt, "go.alternateTools", func() { s.AlternateDlv = "" }},
		{gobin, "GOBIN", func() { delete(env, "GOBIN") }},
		{tools, "go.toolsGopath", func() { s.ToolsGopath = "" }},
		{gopath, "GOPATH", func() { delete(env, "GOPATH") }},
		{goroot, "GOROOT", func() { delete(env, "GOROOT") }},
		{path, "PATH", func() { delete(env, "PATH") }},
		{"", "", nil},
	}
	for _, st := range steps {
		d := ResolveDlv(s, Vars{Getenv: mapEnv(env)}, GoEnv{})
		if d.Path != st.want || d.Why != st.why {
			t.Errorf("got %s (%s), want %s (%s)", d.Path, d.Why, st.want, st.why)
		}
		if st.drop != nil {
			st.drop()
		}
	}
}
