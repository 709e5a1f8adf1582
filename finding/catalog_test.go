package finding

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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

// TestCatalogEntries: every ID is unique across the areas' catalogs, is a
// taxonomy cause ID and has a complete entry.
func TestCatalogEntries(t *testing.T) {
	if len(duplicateIDs) > 0 {
		t.Errorf("IDs defined in more than one catalog file: %v", duplicateIDs)
	}
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
