// Package srcpath maps the editor's source paths to the paths a binary
// records: PathRule, the one substitutePath rule type of dlvx (the doctor
// proposes rules, service/dap reads the client's into it); Apply and Infer
// apply and infer rules; Source is the --source survey, which compares a
// workspace with the binary's file table and tells a moved checkout
// (BP-PATH) from a symlinked or case-differing workspace and from files
// that are not compiled in (BP-NOTINBIN-FILES, or BP-NOTINBIN-WORKSPACE when
// none is); toolchain.go adds the rules
// mapping the binary's GOROOT and module cache to this machine's.
//
// What it does not do: it never imports Delve's pkg/proc; what it needs of
// Delve's function table (the file list of a binary without DWARF, which
// functions start in a file) comes through dwarfcheck.Input.Funcs. It reads
// the workspace's files and returns values. The only process it starts is
// "go env" (GOROOT, GOMODCACHE, GOVERSION), through LocalToolchain, which
// callers can replace.
package srcpath
