package finding

// DebugGCFlags is the go build flag of a debug build: no optimizations and
// no inlining, in every package. It is how dlvx debug (and dlv debug)
// build, and the build the doctor finds nothing wrong with.
const DebugGCFlags = "-gcflags=all=-N -l"

// A Build is the go build command of a RebuildFix.
type Build struct {
	Env []string // variables set for the build, "GOARCH=arm64"; empty for none
	Out string   // the -o file; "" for go build's default
	Pkg string   // the package to build; "" means "."
}

// RebuildFix returns the fix summary whose command is a debug build of b:
//
//	[env VAR=value...] go build -gcflags=all=-N -l [-o OUT] PKG
//
// Every fix of every doctor that says "rebuild" is made here.
func RebuildFix(summary string, b Build) Fix {
	var argv []string
	if len(b.Env) > 0 {
		argv = append(append(argv, "env"), b.Env...)
	}
	argv = append(argv, "go", "build", DebugGCFlags)
	if b.Out != "" {
		argv = append(argv, "-o", b.Out)
	}
	pkg := b.Pkg
	if pkg == "" {
		pkg = "."
	}
	return Fix{Summary: summary, Command: append(argv, pkg)}
}
