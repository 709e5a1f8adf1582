package dwarfcheck

import (
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
	if want := []string{"elf-headers", "go-binary", "compressed-dwarf", "dwarf-units", "optimization"}; !slices.Equal(names, want) {
		t.Errorf("Select(only optimization) = %v, want %v", names, want)
	}
	if err := finding.Validate(got); err != nil {
		t.Error(err)
	}
}
