package dwarfcheck

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/finding"
)

func TestBinaryChecksValid(t *testing.T) {
	if err := finding.Validate(BinaryChecks); err != nil {
		t.Fatal(err)
	}
	for _, c := range BinaryChecks {
		title, body, ok := strings.Cut(c.Doc, "\n\n")
		if !ok || title == "" || body == "" {
			t.Errorf("check %s: Doc needs a title line, a blank line and an explanation", c.Name)
		}
	}
}

func TestSelectKeepsRequirements(t *testing.T) {
	got := finding.Select(BinaryChecks, []string{"optimization"}, nil)
	var names []string
	for _, c := range got {
		names = append(names, c.Name)
	}
	if want := []string{"elf-headers", "elf-type", "go-binary", "compressed-dwarf", "dwarf-units", "optimization"}; !slices.Equal(names, want) {
		t.Errorf("Select(only optimization) = %v, want %v", names, want)
	}
	if err := finding.Validate(got); err != nil {
		t.Error(err)
	}
}

// TestDocsListEveryCheck keeps the list of checks in docs/doctor.md in
// step with BinaryChecks, in order.
func TestDocsListEveryCheck(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "docs", "doctor.md"))
	if err != nil {
		t.Fatal(err)
	}
	const intro = "and `--break` with Delve's location functions):\n"
	_, list, ok := strings.Cut(string(data), intro)
	if !ok {
		t.Fatalf("docs/doctor.md lost the paragraph that lists the checks (%q)", intro)
	}
	list, _, _ = strings.Cut(list, ". ")
	var documented []string
	for _, m := range regexp.MustCompile("`([a-z0-9-]+)`").FindAllStringSubmatch(list, -1) {
		documented = append(documented, m[1])
	}
	var names []string
	for _, c := range BinaryChecks {
		names = append(names, c.Name)
	}
	if !slices.Equal(documented, names) {
		t.Errorf("docs/doctor.md lists the checks\n%v\nBinaryChecks has\n%v", documented, names)
	}
}
