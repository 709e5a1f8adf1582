package finding

import "sort"

// entry is the fixed part of a finding: what --explain prints and what
// docs/doctor.md documents. Checks add evidence and concrete fixes.
type entry struct {
	Severity Severity
	Title    string
	Why      string
}

// catalog holds every finding ID dlvx can produce, one file per area
// (catalog_binary.go, catalog_attach.go, catalog_resolver.go). IDs are the cause IDs of the
// failure taxonomy, with a suffix where one cause needs several findings.
// An ID is never reused for another meaning, nor defined in two areas
// (duplicateIDs, checked by TestCatalogEntries).
var catalog, duplicateIDs = merge(binaryCatalog, attachCatalog, resolverCatalog, launchCatalog, traceCatalog, coreCatalog)

// merge joins the areas' catalogs into one map and lists the IDs that
// more than one area defines.
func merge(areas ...map[string]entry) (map[string]entry, []string) {
	all := map[string]entry{}
	var dup []string
	for _, area := range areas {
		for id, e := range area {
			if _, ok := all[id]; ok {
				dup = append(dup, id)
			}
			all[id] = e
		}
	}
	sort.Strings(dup)
	return all, dup
}

// IDs returns every finding ID, sorted.
func IDs() []string {
	ids := make([]string, 0, len(catalog))
	for id := range catalog {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// ExplainCommand returns the command that prints the catalog entry of an
// ID, which is where a rendered finding points for more: an installed
// dlvx has no docs/doctor.md to link to.
func ExplainCommand(id string) string { return "dlvx doctor --explain " + id }

// Explain returns the title, default severity and explanation of an ID.
func Explain(id string) (title string, sev Severity, why string, ok bool) {
	e, ok := catalog[id]
	return e.Title, e.Severity, e.Why, ok
}
