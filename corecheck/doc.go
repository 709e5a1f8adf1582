// Package corecheck is the core-file doctor: before `dlvx core BINARY
// CORE`, it reads the core and the executable and explains why Delve will
// fail to open it or show wrong data — a compressed or truncated core, a
// file that is no core, missing notes or threads, an executable of another
// build, a binary without DWARF — and, for a running process, why it would
// leave no core if it crashed (setup.go).
//
// The reader (read.go, notes.go, image.go) decodes the ELF core by hand so
// that every fact keeps its file offset for evidence, and never trusts a
// size: what lies past the end of the file is recorded as missing. It
// returns typed errors and is fuzzed (FuzzCoreReader).
//
// Every piece of advice is a finding.Finding with an ENV-CORE-* ID
// (finding/catalog_core.go). The package reads files only: it never runs
// the program and never imports the front ends (layering_test.go).
package corecheck
