package report

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"sort"

	"github.com/dlvx/dlvx/finding"
)

// SARIF 2.1.0 types, reduced to the properties the doctor fills.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Results     []sarifResult     `json:"results"`
	Invocations []sarifInvocation `json:"invocations"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name  string      `json:"name"`
	Rules []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
	FullDescription  sarifMessage `json:"fullDescription"`
	Help             sarifMessage `json:"help"` // the explain command: dlvx has no page to link (helpUri)
	DefaultConfig    sarifConfig  `json:"defaultConfiguration"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool `json:"executionSuccessful"`
}

var sarifLevel = map[finding.Severity]string{
	finding.SevError: "error",
	finding.SevWarn:  "warning",
	finding.SevInfo:  "note",
}

// SARIF writes the report as a SARIF 2.1.0 log with one run. Every finding,
// breakpoint findings included, is a result located at the binary; rules
// carry the catalog's title and explanation.
func SARIF(w io.Writer, r *finding.Report) error {
	loc := []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: fileURI(r.Binary)}}}}
	run := sarifRun{
		Tool:        sarifTool{Driver: sarifDriver{Name: "dlvx doctor"}},
		Results:     []sarifResult{},
		Invocations: []sarifInvocation{{ExecutionSuccessful: len(r.Errors) == 0}},
	}
	used := map[string]bool{}
	add := func(f finding.Finding, prefix string) {
		used[f.ID] = true
		msg := prefix + f.Title
		for _, e := range f.Evidence {
			msg += "; " + e.Fact
		}
		run.Results = append(run.Results, sarifResult{RuleID: f.ID, Level: sarifLevel[f.Severity], Message: sarifMessage{Text: msg}, Locations: loc})
	}
	for _, f := range r.Findings {
		add(f, "")
	}
	for _, b := range r.Breaks {
		for _, f := range b.Findings {
			add(f, "break "+b.Location+": ")
		}
	}
	ids := make([]string, 0, len(used))
	for id := range used {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		title, sev, why, _ := finding.Explain(id)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: id, ShortDescription: sarifMessage{title},
			FullDescription: sarifMessage{why}, Help: sarifMessage{"run: " + finding.ExplainCommand(id)},
			DefaultConfig: sarifConfig{Level: sarifLevel[sev]}})
	}
	if run.Tool.Driver.Rules == nil {
		run.Tool.Driver.Rules = []sarifRule{}
	}
	log := sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// fileURI returns a file: URI for an absolute path, or the relative path
// itself (a relative URI reference).
func fileURI(p string) string {
	if filepath.IsAbs(p) {
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
	}
	return filepath.ToSlash(p)
}
