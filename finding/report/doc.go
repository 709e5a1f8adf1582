// Package report renders a finding.Report for people (Text), for tools
// (JSON, a versioned schema documented in docs/doctor.md) and for CI code
// scanning (SARIF 2.1.0). Renderers only format: they never decide what is
// a finding.
package report
