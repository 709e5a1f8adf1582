package dapdoctor

import (
	"debug/elf"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/dlvx/dlvx/service/dap"
	"github.com/go-delve/delve/pkg/proc"
)

// loadSession loads bin as a debugging session's debugger does, at a PIE's
// static addresses.
func loadSession(t *testing.T, bin string) *proc.BinaryInfo {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bi := proc.NewBinaryInfo("linux", runtime.GOARCH, false)
	if err := bi.LoadBinaryInfo(bin, f.Entry, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bi.Close() })
	return bi
}

// With the session's BinaryInfo the verdicts are those of the doctor's
// own load, and the doctor loads nothing of its own; without it (no
// session yet) it loads the binary once and keeps it.
func TestExplainFromTheSession(t *testing.T) {
	bin := fixtures.Build(t, "breakcases", fixtures.Default)
	src := filepath.Join(fixtures.Dir("breakcases"), "main.go")
	line := fixtures.Line(t, "breakcases", "main.go", "comment-line")
	ctx := dap.WithBinaryInfo(t.Context(), loadSession(t, bin))

	var d Doctor
	fromSession, err := d.ExplainLine(ctx, bin, src, line)
	if err != nil || fromSession == "" {
		t.Fatalf("from the session: %q, %v; want a verdict", fromSession, err)
	}
	fn, err := d.ExplainFunction(ctx, bin, "main.mian")
	if err != nil || fn == "" {
		t.Fatalf("main.mian from the session: %q, %v; want a verdict", fn, err)
	}
	if n := len(d.cache.inputs); n != 0 {
		t.Errorf("the doctor loaded %d binaries of its own with the session's at hand", n)
	}
	own, err := d.ExplainLine(t.Context(), bin, src, line)
	if err != nil || own != fromSession {
		t.Errorf("own load: %q, %v; want the session's verdict %q", own, err, fromSession)
	}
	if n := len(d.cache.inputs); n != 1 {
		t.Errorf("without a session: %d binaries loaded, want 1", n)
	}
}
