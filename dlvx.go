// Package dlvx holds facts about this build of dlvx itself: its version and
// the patches applied to the pinned Delve. The debugger's code lives in the
// sub-packages and in cmd/dlvx.
package dlvx

import (
	"bufio"
	"embed"
	"io/fs"
	"path"
	"strings"
)

// Version is dlvx's own version; Delve's is in its pkg/version.
const Version = "0.1.0-dev"

//go:embed patches/*.patch patches/delve.lock
var patchFS embed.FS

// A Patch is one file of patches/, applied to Delve in name order.
type Patch struct {
	Name        string // file name without .patch: "0001-terminal-detach-on-eof-at-kill-prompt"
	Description string // first line of the DEP-3 Description field
}

// Patches returns the patches this binary was built with, in order.
func Patches() []Patch {
	names, _ := fs.Glob(patchFS, "patches/*.patch")
	out := make([]Patch, 0, len(names))
	for _, name := range names {
		data, _ := patchFS.ReadFile(name)
		out = append(out, Patch{
			Name:        strings.TrimSuffix(path.Base(name), ".patch"),
			Description: description(string(data)),
		})
	}
	return out
}

// description returns the summary line of a DEP-3 header.
func description(patch string) string {
	sc := bufio.NewScanner(strings.NewReader(patch))
	for sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "Description:"); ok {
			return strings.TrimSpace(d)
		}
	}
	return ""
}

// DelveLock returns the content of patches/delve.lock.
func DelveLock() string {
	data, _ := patchFS.ReadFile("patches/delve.lock")
	return string(data)
}
