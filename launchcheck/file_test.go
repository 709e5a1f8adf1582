package launchcheck

import (
	"errors"
	"testing"
)

// TestParseJSONC reads comments and trailing commas and keeps positions.
func TestParseJSONC(t *testing.T) {
	data := []byte("{\n  // c\n  \"configurations\": [\n    {\"name\": \"a\", /* x */ \"type\": \"go\",},\n  ],\n}\n")
	f, err := Parse("launch.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Configs) != 1 || f.Configs[0].Name != "a" || !f.Configs[0].IsGo() {
		t.Fatalf("got %+v", f.Configs)
	}
	if p := f.Configs[0].Attrs["type"].Pos; p != (Pos{4, 27}) {
		t.Errorf("type at %v, want 4:27", p)
	}
}

// TestParseErrors: broken files are a ParseError, never a panic.
func TestParseErrors(t *testing.T) {
	for _, in := range []string{"{\n  \"configurations\": [\n    {\"name\": }\n  ]\n}", "[]", `{"version": "0.2.0"}`, `{"configurations": {}}`, `{"configurations": [1]}`, ""} {
		_, err := Parse("launch.json", []byte(in))
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%q: got %v, want a *ParseError", in, err)
		}
	}
	_, err := Parse("launch.json", []byte(`{"version": "0.2.0"}`))
	if !errors.Is(err, ErrNoConfigurations) {
		t.Errorf("got %v, want ErrNoConfigurations", err)
	}
}

// TestExpand substitutes what VS Code would and names the rest.
func TestExpand(t *testing.T) {
	v := Vars{WorkspaceFolder: "/w/proj", File: "/w/proj/cmd/a/main.go", Getenv: func(k string) string { return map[string]string{"X": "x"}[k] }}
	tests := []struct{ in, want, missing string }{
		{"${workspaceFolder}/bin", "/w/proj/bin", ""},
		{"${workspaceFolderBasename}", "proj", ""},
		{"${fileDirname}", "/w/proj/cmd/a", ""},
		{"${relativeFileDirname}", "cmd/a", ""},
		{"${fileBasenameNoExtension}", "main", ""},
		{"${env:X}-${env:UNSET}", "x-", ""},
		{"${command:pickProcess}", "${command:pickProcess}", "${command:pickProcess}"},
		{"${input:port}", "${input:port}", "${input:port}"},
	}
	for _, tc := range tests {
		got, miss := v.Expand(tc.in)
		if got != tc.want || (tc.missing == "") != (len(miss) == 0) || len(miss) > 0 && miss[0].Var != tc.missing {
			t.Errorf("Expand(%q) = %q, %v; want %q, %q", tc.in, got, miss, tc.want, tc.missing)
		}
	}
	if _, miss := (Vars{WorkspaceFolder: "/w"}).Expand("${file}"); len(miss) != 1 {
		t.Errorf("${file} without an open file: got %v, want one unexpanded", miss)
	}
}
