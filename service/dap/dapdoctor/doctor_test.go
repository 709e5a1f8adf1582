package dapdoctor

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/internal/fixtures"
)

func TestProcExePID(t *testing.T) {
	tests := []struct {
		path string
		pid  int
		ok   bool
	}{
		{"/proc/42/exe", 42, true},
		{"/proc/0/exe", 0, false},
		{"/proc/self/exe", 0, false},
		{"/proc/42/cwd", 0, false},
		{"/tmp/proc/42/exe", 0, false},
		{"/proc/-3/exe", 0, false},
	}
	for _, tc := range tests {
		if pid, ok := procExePID(tc.path); pid != tc.pid || ok != tc.ok {
			t.Errorf("procExePID(%q) = %d, %v; want %d, %v", tc.path, pid, ok, tc.pid, tc.ok)
		}
	}
}

// An optimized build gets the doctor's warning as an important line and
// its text report as the detail; the build dlv debug makes says nothing.
func TestExamine(t *testing.T) {
	var d Doctor
	rep, err := d.Examine(t.Context(), fixtures.Build(t, "worker", fixtures.Default))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Important) != 1 || !strings.HasPrefix(rep.Important[0], "dlvx doctor: BP-OPT warning: ") || !strings.Contains(rep.Detail, "[!] BP-OPT") {
		t.Errorf("optimized build: %+v; want one BP-OPT line and the report", rep)
	}
	rep, err = d.Examine(t.Context(), fixtures.Build(t, "worker", fixtures.NoOpt))
	if err != nil || len(rep.Important) != 0 || rep.Detail != "" {
		t.Errorf("-N -l build: %+v, %v; want nothing to say", rep, err)
	}
	if _, err := d.Examine(t.Context(), filepath.Join(t.TempDir(), "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing binary: %v, want ErrNotExist", err)
	}
}

// Unverified breakpoints get the doctor's verdict, except dlvx's own
// locations, which the resolver explains through Delve.
func TestExplain(t *testing.T) {
	var d Doctor
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	why, err := d.ExplainFunction(t.Context(), bin, "main.wrok")
	if err != nil || !strings.HasPrefix(why, "dlvx: BP-FUNCNAME: ") || strings.HasSuffix(why, "\n") {
		t.Errorf("main.wrok: %q, %v; want the BP-FUNCNAME verdict", why, err)
	}
	if why, err := d.ExplainFunction(t.Context(), bin, "main.work"); err != nil || why != "" {
		t.Errorf("main.work binds: %q, %v; want no verdict", why, err)
	}
	if why, err := d.ExplainFunction(t.Context(), bin, "main.wrok+4"); err != nil || why != "" {
		t.Errorf("main.wrok+4: %q, %v; want it left to the resolver", why, err)
	}
}

// A notice is rendered like the doctor's findings: an important line for
// an error, its text block as the detail; an info notice only the detail.
func TestNotice(t *testing.T) {
	rep, err := Notice(finding.New("AP-CORRECT-GODEBUG", finding.Evidencef("/proc/42/environ", "GODEBUG=asyncpreemptoff=1")))
	if err != nil || len(rep.Important) != 1 || !strings.HasPrefix(rep.Important[0], "dlvx: AP-CORRECT-GODEBUG error: ") ||
		!strings.Contains(rep.Detail, "evidence: /proc/42/environ  GODEBUG=asyncpreemptoff=1") {
		t.Errorf("error notice: %+v, %v", rep, err)
	}
	rep, err = Notice(finding.New("BP-FUNCNAME-ABI0", finding.Evidencef("delve:functions", "f names two functions")))
	if err != nil || len(rep.Important) != 0 || !strings.Contains(rep.Detail, "[i] BP-FUNCNAME-ABI0") {
		t.Errorf("info notice: %+v, %v", rep, err)
	}
}
