// Package launchcheck judges a VS Code launch.json before a debug session
// starts: the step between the editor and the binary that nobody checks.
//
// Read parses launch.json as VS Code does (JSON with comments and trailing
// commas) and keeps where each attribute was written; Expand substitutes
// the variables VS Code and vscode-go substitute and names those that only
// the editor can resolve (${command:pickProcess}, ${input:x}). Doctor runs
// the checks of each Go configuration: attributes unknown to vscode-go or
// deprecated, mode against program, cwd, build flags that remove what
// debugging needs or fight with Delve's -gcflags=all=-N -l, substitutePath
// rules judged against the real binary (built the way the mode builds it,
// or the exec/core target), remote servers (is one listening, which Delve,
// do the rules match its binary's files), the dlv vscode-go would start
// (ResolveDlv, in vscode-go's search order) against the binary's Go and
// DWARF versions, and the host's LSMs (SELinux deny_ptrace, AppArmor),
// rr and eBPF prerequisites when asked.
//
// Request runs the same judgement on the arguments of a DAP launch or
// attach request (ParseRequest, RequestChecks): what VS Code actually sent,
// after vscode-go resolved the configuration, read as Delve reads it
// (nothing left to expand, Delve's modes, relative paths against the
// debugger's working directory or dlvCwd, Delve's own attributes known).
// It lints attributes, mode and program, cwd and build flags, and judges
// substitutePath against an exec or core target; it builds nothing, since
// Delve builds next. Restart compares a restart request's configuration
// with the session's launch and names what Delve keeps from the launch.
//
// What vscode-go does that these checks model (vscode-go, 2026):
//   - a launch without mode gets "auto": a program ending in _test.go
//     means test, anything else debug; an attach without mode is "local";
//   - with the default dlv-dap adapter, relative cwd, output and program
//     are made absolute against the workspace folder, and debug/test
//     builds run from the program's directory;
//   - a string buildFlags and env.GOFLAGS lose every -gcflags (with a
//     one-time warning); Delve puts its own -gcflags=all=-N -l before a
//     string's flags and after an array's;
//   - "debug test" (code lens, Debug Test at Cursor) builds with
//     go.testFlags, else go.buildFlags, up to -args, as a string
//     buildFlags;
//   - envFile is read (KEY=VALUE lines) and merged under env after that
//     removal, so its GOFLAGS reach Delve whole; the merged env replaces
//     envFile in the request Delve gets;
//   - dlv is go.alternateTools.dlv when it is an absolute executable path,
//     else the first of GOBIN, go.toolsGopath/bin, GOPATH/bin (go.gopath or
//     $GOPATH), GOROOT/bin and PATH holding it (or the alternate name).
//
// What it does not do: it never imports service/ or cmd/ and never starts
// a debugger. The processes it starts are "go build"/"go test -c" of the
// configured program into a temporary directory, "go env" and "go list".
// A remote server is contacted only when that cannot end it: a Delve
// server without --accept-multiclient exits when its only client
// disconnects, so such servers, and servers whose process this machine
// cannot see, are reported, not probed (unless Options.ProbeRemote).
package launchcheck
