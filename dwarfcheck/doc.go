// Package dwarfcheck inspects a Go executable, without running it, and
// reports why breakpoints or variables will fail when it is debugged.
//
// Every piece of advice is a Finding (finding.go): a stable ID taken from
// the failure taxonomy (BP-NODWARF, ENV-VERSION-OLD, …), a severity, the
// evidence that was read and where, an explanation and alternative fixes.
// Findings come from Checks (check.go), registered values with declared
// dependencies that a Runner executes against an Input (input.go). An Input
// opens the ELF file, its DWARF and its Go build information lazily, so a
// check pays only for what it reads; Delve's own proc.BinaryInfo is loaded
// only to answer --break and --source questions (breaks.go, source.go), so
// that the doctor's verdicts match what dlvx then does.
//
// The package is pure: it reads files and returns values. It never starts
// processes other than a read-only "git" query for the stale-binary check,
// never prints, and never imports dlvx's service or cmd packages. Rendering
// lives in package dwarfcheck/report.
package dwarfcheck
