package dapdoctor

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// The doctor keeps one Input per executable, so Delve's BinaryInfo loads
// once however many breakpoints are explained; a rebuilt file gets a new
// one, and the cache holds a bounded number.
func TestInputCache(t *testing.T) {
	src := fixtures.Build(t, "worker", fixtures.NoOpt)
	dir := t.TempDir()
	var d cache
	first, err := d.input(src)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := d.input(src); again != first {
		t.Error("a second look at an unchanged binary made a new Input")
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	copies := make([]string, maxCachedInputs)
	for i := range copies {
		copies[i] = filepath.Join(dir, "w"+string(rune('a'+i)))
		if err := os.WriteFile(copies[i], data, 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := d.input(copies[i]); err != nil {
			t.Fatal(err)
		}
	}
	if len(d.inputs) != maxCachedInputs {
		t.Errorf("%d cached inputs, want at most %d", len(d.inputs), maxCachedInputs)
	}
	if again, _ := d.input(src); again == first {
		t.Error("the least recently used Input was not evicted")
	}
	// A rebuild in place: same path, new modification time.
	cur, _ := d.input(copies[0])
	later := cur.mtime.Add(time.Second)
	if err := os.Chtimes(copies[0], later, later); err != nil {
		t.Fatal(err)
	}
	if again, _ := d.input(copies[0]); again == cur {
		t.Error("a rebuilt binary kept its old Input")
	}
	if _, err := d.input(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("input of a missing file: %v, want ErrNotExist", err)
	}
}
