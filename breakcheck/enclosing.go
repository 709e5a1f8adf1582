package breakcheck

import (
	"os"
	"strings"

	"github.com/dlvx/dlvx/srcpath"
	"github.com/go-delve/delve/pkg/proc"
)

// enclosingFunc returns the binary's name for the function declared in
// the local copy of file whose body contains line ("pkg.F", "pkg.(*T).M"),
// or "" when the file is not readable or the line is outside any function.
// pkg is the package name the binary gives the file's other functions.
func enclosingFunc(file string, line int, pkg string) string {
	data, err := os.ReadFile(file)
	if err != nil || pkg == "" {
		return ""
	}
	lines := strings.Split(string(data), "\n")
	if line > len(lines) {
		return ""
	}
	for i := line - 1; i >= 0; i-- {
		l := lines[i]
		if l == "}" && i != line-1 {
			return "" // the line is after the end of a function
		}
		recv, name, ok := srcpath.DeclaredFunc(l)
		switch {
		case !ok:
			continue
		case recv == "":
			return pkg + "." + name
		case strings.HasPrefix(recv, "*"):
			return pkg + ".(" + recv + ")." + name
		default:
			return pkg + "." + recv + "." + name
		}
	}
	return ""
}

// filePackage returns the package path the binary records for functions
// whose entry is in file, or "". It looks only at the PCs the line tables
// give for file's first maxLines lines, not at every function.
func filePackage(bi *proc.BinaryInfo, file string, maxLines int) string {
	lines := make([]int, maxLines)
	for i := range lines {
		lines[i] = i + 1
	}
	for _, pcs := range bi.AllPCsForFileLines(file, lines) {
		for _, pc := range pcs {
			fn := bi.PCToFunc(pc)
			if fn == nil {
				continue
			}
			if f, _ := bi.EntryLineForFunc(fn); f == file {
				return fn.PackageName()
			}
		}
	}
	return ""
}

// removedFunction reports whether line of file lies in a function the
// source declares but the binary lacks, and returns that function's name.
func removedFunction(bi *proc.BinaryInfo, file string, line int) (string, bool) {
	name := enclosingFunc(file, line, filePackage(bi, file, line+200))
	if name == "" {
		return "", false
	}
	if _, err := bi.FindFunction(name); err == nil {
		return "", false
	}
	return name, true
}
