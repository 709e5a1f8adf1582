// Package breakcheck answers "will this breakpoint bind, and where?" with
// Delve's own location functions, so that the doctor's verdicts match what
// dlvx then does, and composes `dlvx doctor BINARY` (Doctor): the binary
// checks, then the --source survey, then the --break verdicts.
//
// It is the only dlvx package besides resolver that imports Delve's
// pkg/proc. It loads Delve's BinaryInfo for an executable (binary.go),
// lazily or in the background while the fast checks run, and lends it to
// dwarfcheck and srcpath through dwarfcheck.FuncTable (Install, NewInput).
// Delve's FindFileLocation and FindFunctionLocation need a proc.Process
// only to disassemble prologues: a read-only process over the file's
// PT_LOAD segments (delveproc.go) stands in for one. When a location does
// not bind, it says why (breaks_why.go, enclosing.go): another path, a
// line without a statement, a function the linker removed, a misspelled
// name.
//
// What it does not do: it never runs or attaches to the binary, never
// prints (finding/report renders), never imports dlvx's service or cmd
// packages. It starts no process itself; Doctor runs the probes others
// install: the Input's "git rev-parse"/"git status" (dwarfcheck's GitHead)
// for the stale-binary check when a workspace is given, and srcpath's "go
// env" for --source unless Options.Toolchain replaces it.
package breakcheck
