package dwarfcheck

import "sort"

// catalogEntry is the fixed part of a finding: what --explain prints and
// what docs/doctor.md documents. Checks add evidence and concrete fixes.
type catalogEntry struct {
	Severity Severity
	Title    string
	Why      string
}

// catalog holds every finding ID the doctor can produce. IDs are the cause
// IDs of the failure taxonomy, with a suffix where one cause needs several
// findings. An ID is never reused for another meaning.
var catalog = map[string]catalogEntry{
	"BP-NODWARF": {SevError, "binary has no DWARF debug information",
		"The binary was linked without DWARF (-ldflags=-w or -s, strip, a release pipeline). Without DWARF the debugger cannot map source lines to code or show variables: every file:line breakpoint fails with \"could not find file X, binary is stripped\". Function breakpoints such as main.main still bind through the Go function table."},
	"BP-NODWARF-BLIND": {SevError, "binary has neither DWARF nor a Go function table",
		"The binary has no DWARF, no symbol table and no .gopclntab section header (typically external linking followed by strip). The debugger cannot find any function, not even main.main: no breakpoint can bind."},
	"BP-NODWARF-GORUN": {SevError, "binary was built by go run, which omits debug information",
		"The binary lives in the go command's temporary build directory: go run and go test link without DWARF. Debug a binary you build yourself, or let the debugger build it (dlvx debug)."},
	"BP-SEPDEBUG-MISSING": {SevError, "separate debug file not found",
		"The binary carries no DWARF itself but names a separate debug file in .gnu_debuglink. The debugger looks for it next to the binary, in a .debug subdirectory and under each debug-info-directories entry; it is in none of them, so the binary debugs as if stripped."},
	"BP-SEPDEBUG-CRC": {SevError, "separate debug file belongs to another build",
		"A file with the name recorded in .gnu_debuglink exists, but its CRC32 differs from the one the binary records: it was produced by another build. Delve only logs this and then debugs the binary as if stripped."},
	"BP-SEPDEBUG-FOUND": {SevInfo, "debug information comes from a separate file",
		"The binary is stripped, but its .gnu_debuglink points to a debug file that exists and matches. The debugger loads DWARF from that file; keep the two together."},
	"BP-ZDEBUG": {SevError, "compressed DWARF section cannot be read",
		"A DWARF section is compressed with an algorithm Go's debug/elf cannot decode, or its compression header is damaged. The debugger fails to load or panics. Rebuild without the post-processing step that rewrote the DWARF (objcopy --compress-debug-sections, dwz, debugedit)."},
	"BP-OPT": {SevWarn, "packages compiled with optimizations and inlining",
		"Optimized code has no instructions for some lines and keeps variables in registers: breakpoints on such lines are rejected with \"please use a line with a statement\", other lines bind but are never reached, and variables print as unreadable. Rebuild with -gcflags=all=\"-N -l\" (the runtime is always optimized and is not counted)."},
	"BP-OPT-PARTIAL": {SevWarn, "-N -l reached only some packages",
		"Some packages were compiled with -N -l and others were not: the symptom of -gcflags='-N -l' without the all= pattern, which applies only to the packages named on the command line. Breakpoints in the optimized packages behave as in an optimized build."},
	"BP-OPT-LINE": {SevWarn, "breakpoint is in optimized code",
		"The line binds, but it belongs to a function compiled with optimizations: the code may be reordered or merged so the breakpoint is hit at an unexpected time or never, and local variables may be unreadable there."},
	"BP-OPT-INLINED": {SevInfo, "function exists only as inlined copies",
		"The compiler inlined the function into its callers and the linker kept no standalone copy. The breakpoint binds at each inlined call site instead of one entry point."},
	"BP-TRIMPATH": {SevWarn, "binary was built with -trimpath",
		"-trimpath records module-relative file names (example.com/app/main.go) instead of absolute paths, so the editor's absolute paths match nothing in the binary. Remove -trimpath from the build (check GOFLAGS, go.buildFlags, go.testFlags) or map the paths with substitutePath."},
	"BP-PATH": {SevError, "source path differs from the path recorded in the binary",
		"The debugger matches files by the path recorded at build time. The file exists in the binary under another directory (another checkout, a container, a remote build), so a breakpoint set with the editor's path matches nothing. Add the substitutePath rule shown (DAP: from = editor path, to = binary path)."},
	"BP-PATH-GOROOT": {SevInfo, "standard library or module paths differ from this machine",
		"The binary was built with another GOROOT or module cache (another machine, a container, or -trimpath). Breakpoints in your own code are unaffected, but stepping into the standard library or a dependency shows no source until the rules shown map them; with -trimpath, modules whose path has capitals cannot be mapped by a prefix rule because the module cache escapes them."},
	"BP-PATH-AMBIGUOUS": {SevError, "file name matches several files in the binary",
		"The breakpoint names a file by a partial path that several files of the binary end with, so Delve refuses it as ambiguous. Give more of the path."},
	"BP-SYMLINK": {SevError, "workspace is opened through a symbolic link",
		"Go records the real path of each file; the editor sends breakpoints with the symlinked path, so they match nothing. Open the real directory, or add the substitutePath rule shown."},
	"BP-CASE": {SevError, "workspace path differs from the binary only in letter case",
		"On a case-insensitive disk both spellings reach the same file, but the debugger compares paths exactly. Re-open the folder with its on-disk capitalization, or add the substitutePath rule shown."},
	"BP-NOTINBIN": {SevError, "file is not compiled into this binary",
		"The binary has no code from this file, although its path mapping is right (other files of the directory are present): the file is excluded by build tags or GOOS/GOARCH, is a _test.go file while debugging the program (or the reverse), or belongs to another binary. Adding substitutePath rules will not help."},
	"BP-NOSTMT": {SevError, "line has no statement",
		"The line has no machine code marked as a statement (a comment, a declaration, a closing brace, or a line the compiler folded into another). Delve does not move breakpoints: use one of the nearest statement lines shown."},
	"BP-FUNCNAME": {SevError, "no function with this name",
		"Function breakpoints need the package-qualified name as the binary records it (main.main, example.com/pkg.(*T).Method). The candidates shown are the closest names in the binary."},
	"BP-FUNCNAME-REMOVED": {SevError, "function is declared in the source but not in the binary",
		"The function exists in the workspace but the binary has no code for it: the linker removed it as unreachable, or every call was inlined away. A breakpoint on it can never be hit."},
	"ENV-VERSION-OLD": {SevError, "Go version is older than this debugger supports",
		"dlvx (Delve 1.27) supports targets built with Go 1.25 through 1.27. Older runtimes have data structures the debugger reads wrongly. Rebuild with a supported Go, or run with --check-go-version=false at your own risk. For stripped binaries Delve's own check silently passes; the doctor reads the version from the Go build information."},
	"ENV-VERSION-NEW": {SevError, "Go version is newer than this debugger supports",
		"dlvx (Delve 1.27) supports targets built with Go 1.25 through 1.27. A newer runtime may have changed structures the debugger reads. Use a newer dlvx, or run with --check-go-version=false at your own risk."},
	"AP-CORRECT": {SevWarn, "breakpoints may be reported hit twice: Delve cannot turn async preemption off",
		"On linux/arm64, ppc64le and loong64 an asynchronous preemption can restart a sequence of instructions, so a breakpoint inside it looks hit twice although the code ran once. Delve avoids this by setting the runtime's debug.asyncpreemptoff when it starts or attaches, which needs the binary's DWARF to find that variable. This binary has none, so async preemption stays on under the debugger: expect duplicate hits and wrong hit counts. Rebuild with DWARF, or run the program with GODEBUG=asyncpreemptoff=1."},
	"ENV-DWARF5": {SevWarn, "binary uses DWARF 5, which the dlv on PATH cannot read",
		"Go 1.25 and later (and C code compiled by LLVM) write DWARF version 5. A Delve that was itself compiled with Go older than 1.25 misreads it and refuses with \"To debug executables using DWARFv5 or later Delve must be built with Go version 1.25.0 or later\" — even when your go command is newer, because what matters is the toolchain that built dlv. dlvx reads DWARF 5; the dlv on PATH, which editors start unless told otherwise, does not. Reinstall it with a newer toolchain or point the editor at dlvx."},
	"ENV-ARCH": {SevError, "binary is for another architecture",
		"The binary's ELF machine differs from this machine's, so it cannot be run or attached to here (an emulated process under qemu or Rosetta cannot be traced). Debug it on a matching machine, or examine a core file."},
	"BP-CGO": {SevInfo, "binary contains C code or was linked externally",
		"cgo and the external linker add C compile units and C frames. Breakpoints in Go code work on Linux, but C frames are optimized unless CGO_CFLAGS has -O0 -g, and external linkers have dropped or damaged Go's DWARF on some platforms."},
	"BP-PIE": {SevInfo, "binary is position independent (PIE)",
		"The binary is loaded at a random address: absolute *0xADDR breakpoints differ from run to run. Use file:line, function names or symbol+offset locations."},
	"BP-RACE": {SevWarn, "binary was built with -race",
		"The race detector's runtime reserves huge shadow mappings and handles signals itself; target crashes on continue have been reported under debuggers. Reproduce without -race if you only need breakpoints."},
	"BP-BUILDSYS": {SevWarn, "file names come from a non-go-build build system",
		"The file table holds relative names or build-sandbox paths (external/, bazel-out/, GOROOT/, execroot/) although -trimpath was not used: the binary was built by Bazel, a similar tool or a script passing -gcflags=-trimpath. The debugger cannot find these files from the editor until substitutePath maps the build root to the workspace."},
	"BP-BUILDSYS-LINEDIR": {SevInfo, "line directives map code to non-Go files",
		"Some code is attributed to non-.go files (//line directives from generators such as goyacc or ragel). Breakpoints work in those generated sources, not in the generated .go file."},
	"BP-GOEXP": {SevInfo, "binary was built with GOEXPERIMENT",
		"Experiments can change runtime data structures (maps, coroutines, arenas) that the debugger reads; if variables print wrongly, rebuild without the experiment."},
	"BP-GOEXP-ASYNCPREEMPTOFF": {SevWarn, "asynchronous preemption is disabled by default",
		"The binary's DefaultGODEBUG sets asyncpreemptoff=1 (for example through a //go:debug directive): goroutines are never async-preempted, so preempt: breakpoint locations never fire."},
	"BP-HARDSTOP": {SevInfo, "runtime.Breakpoint calls are compiled in",
		"The main module calls runtime.Breakpoint(): under a debugger each call stops the program as if a breakpoint were set there (Delve reports a hardcoded-breakpoint stop and steps past it); without a debugger the process dies with SIGTRAP."},
	"BP-STALE-MODIFIED": {SevWarn, "binary was built from a modified checkout",
		"The build information says vcs.modified=true: uncommitted changes were compiled in, so the committed source may not match the binary's line numbers."},
	"BP-STALE-REVISION": {SevWarn, "binary was built from another commit",
		"The binary's vcs.revision differs from the commit checked out in the workspace: line numbers may not match the source in the editor. Rebuild."},
	"BP-STALE-MTIME": {SevWarn, "source files are newer than the binary",
		"Files compiled into the binary were modified after it was built: breakpoints can land on shifted lines or dead code. Rebuild."},
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

// Explain returns the title, default severity and explanation of an ID.
func Explain(id string) (title string, sev Severity, why string, ok bool) {
	e, ok := catalog[id]
	return e.Title, e.Severity, e.Why, ok
}
