package srcpath

import (
	"os"
	"path/filepath"
)

// Corrected returns the substitutePath rule the binary's file table calls
// for the editor folder root, whose .go files are wfiles: the prefix under
// which bfiles hold the most of them (Infer), and how many files voted
// (0: none of them is in the binary). It is the one home of the corrected
// rule: the launch lint, judging a configuration's rules, and the
// breakpoint explainer, judging an editor path those rules sent nowhere,
// both propose it, so that they cannot contradict each other. Neither
// passes a bare name: root is the workspace folder, or EditorRoot of the
// editor's path.
func Corrected(root string, wfiles, bfiles []string) (rule PathRule, votes int) {
	return Infer(root, wfiles, bfiles, false)
}

// EditorRoot returns the editor folder an editor path belongs to, whose
// files decide the corrected rule: the nearest directory at or above
// file's with a go.mod or go.work (vscode-go starts the debugger in the
// workspace folder, a module root), else file's own directory; "" when
// file is relative or its directory does not exist here.
func EditorRoot(file string) string {
	if !filepath.IsAbs(file) {
		return ""
	}
	dir := filepath.Dir(file)
	for d := dir; ; d = filepath.Dir(d) {
		if IsModuleRoot(d) {
			return filepath.ToSlash(d)
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return filepath.ToSlash(dir)
	}
	return ""
}

// IsModuleRoot reports whether dir holds a go.mod or go.work file.
func IsModuleRoot(dir string) bool {
	for _, f := range []string{"go.mod", "go.work"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	return false
}
