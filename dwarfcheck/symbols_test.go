package dwarfcheck

import (
	"debug/elf"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// TestLookupSymbols: the streamed lookup finds what (*elf.File).Symbols
// finds, for names spread over the whole string table, read in chunks
// small enough that many names cross a chunk's end, and nothing for a
// name that is not there.
func TestLookupSymbols(t *testing.T) {
	f, err := elf.Open(fixtures.Build(t, "crash", fixtures.Default))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]elf.Symbol{}
	var names []string
	for i, s := range all {
		if i%97 == 0 && s.Name != "" {
			names = append(names, s.Name)
		}
	}
	for _, s := range all {
		if slices.Contains(names, s.Name) {
			s.Version, s.Library, s.VersionIndex, s.HasVersion = "", "", 0, false
			want[s.Name] = append(want[s.Name], s)
		}
	}
	if len(names) < 20 {
		t.Fatalf("only %d names to look up", len(names))
	}
	for _, chunk := range []int{7, 100, 4096, symChunk} {
		got, err := lookupSymbols(f, chunk, append(names, "dlvx.no-such-symbol"))
		if err != nil {
			t.Fatalf("chunk %d: %v", chunk, err)
		}
		for _, n := range names {
			if !slices.Equal(got[n], want[n]) {
				t.Errorf("chunk %d: %s: got %+v, want %+v", chunk, n, got[n], want[n])
			}
		}
		if s, ok := got["dlvx.no-such-symbol"]; ok {
			t.Errorf("chunk %d: found a symbol that does not exist: %+v", chunk, s)
		}
	}
}

// TestLookupSymbolsNoTable: a binary without .symtab is elf.ErrNoSymbols.
func TestLookupSymbolsNoTable(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\nfunc main() {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module m\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "stripped")
	buildIn(t, dir, out, "-ldflags=-s")
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := LookupSymbols(f, "main.main"); !errors.Is(err, elf.ErrNoSymbols) {
		t.Errorf("got %v, want elf.ErrNoSymbols", err)
	}
}
