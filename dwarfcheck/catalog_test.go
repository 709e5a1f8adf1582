package dwarfcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// TestDocsCoverEveryID keeps docs/doctor.md and the catalog in step: one
// section per ID, no duplicates, no section for an unknown ID.
func TestDocsCoverEveryID(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "docs", "doctor.md"))
	if err != nil {
		t.Fatal(err)
	}
	heading := regexp.MustCompile(`(?m)^### ([A-Z]+-[A-Z0-9-]+)\s*$`)
	seen := map[string]int{}
	for _, m := range heading.FindAllStringSubmatch(string(data), -1) {
		seen[m[1]]++
	}
	for _, id := range IDs() {
		if seen[id] == 0 {
			t.Errorf("docs/doctor.md has no section \"### %s\"", id)
		}
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("docs/doctor.md has %d sections for %s", n, id)
		}
		if _, ok := catalog[id]; !ok {
			t.Errorf("docs/doctor.md documents %s, which no check produces", id)
		}
	}
}

func TestCatalogEntries(t *testing.T) {
	id := regexp.MustCompile(`^(BP|AT|ENV|EX|AP)-[A-Z0-9]+(-[A-Z0-9]+)*$`)
	for _, k := range IDs() {
		e := catalog[k]
		if !id.MatchString(k) {
			t.Errorf("%s: not a taxonomy cause ID", k)
		}
		if e.Title == "" || e.Why == "" || e.Severity < SevInfo || e.Severity > SevError {
			t.Errorf("%s: incomplete catalog entry %+v", k, e)
		}
		if strings.HasSuffix(e.Title, ".") || strings.Contains(e.Title, "\n") {
			t.Errorf("%s: title %q must be one line without a period", k, e.Title)
		}
	}
}

func TestBinaryChecksValid(t *testing.T) {
	if err := Validate(BinaryChecks); err != nil {
		t.Fatal(err)
	}
	for _, c := range BinaryChecks {
		title, body, ok := strings.Cut(c.Doc, "\n\n")
		if !ok || title == "" || body == "" {
			t.Errorf("check %s: Doc needs a title line, a blank line and an explanation", c.Name)
		}
	}
}

// TestPurePackage enforces the layering: the analysis packages never
// depend on dlvx's service or cmd packages, nor on the DAP protocol.
func TestPurePackage(t *testing.T) {
	fixtures.Long(t, "runs go list")
	out, err := exec.Command("go", "list", "-deps", "./...").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/dlvx/dlvx/service") || strings.HasPrefix(dep, "github.com/dlvx/dlvx/cmd") ||
			strings.HasPrefix(dep, "github.com/google/go-dap") || strings.HasPrefix(dep, "github.com/go-delve/delve/service") {
			t.Errorf("dwarfcheck depends on %s", dep)
		}
	}
}
