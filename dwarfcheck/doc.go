// Package dwarfcheck holds the binary checks of `dlvx doctor BINARY`: it
// reads a Go executable, without running it, and reports why breakpoints
// or variables will fail when it is debugged (no DWARF, optimizations,
// -trimpath, a Go version Delve does not support, a stale build, …).
//
// An Input (input.go) opens the ELF file, its DWARF, its compile units and
// its Go build information lazily, so a check pays only for what it reads.
// A file whose headers or sections reach past its end (a truncated copy, a
// build still being written) fails to open with a *DamageError that names
// the part and the offsets (elfdamage.go), where debug/elf says only EOF;
// elfhdr.go names the header fields read without debug/elf.
// BinaryChecks (registry.go) lists the checks, each a finding.Check on an
// Input; package finding runs them and defines the findings they return.
//
// What it does not do: it never imports Delve's pkg/proc. The checks that
// need Delve's function table borrow it through Input.Funcs, which package
// breakcheck installs; breakpoint verdicts live there and source-path
// mapping in package srcpath. It never prints (package finding/report
// renders) and never imports dlvx's service or cmd packages. It reads
// files and returns values; the only processes it starts are read-only
// queries that NewInput installs as replaceable hooks: "git rev-parse" and
// "git status" in the workspace for the stale-binary check (GitHead). It
// also reads the build information of a dlv found on PATH, for ENV-DWARF5
// (ForeignDlv), without running it.
package dwarfcheck
