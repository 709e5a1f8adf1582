// Command delvetree produces the patched Delve source tree that dlvx builds
// against: it fetches the module pinned in patches/delve.lock through the Go
// module proxy, refuses it unless every hash matches the lock, extracts it,
// applies patches/*.patch with no fuzz and no offsets, and records a stamp.
//
// A second run with the same lock, the same patches and an untouched tree is
// a no-op. A tree edited by hand, or patches that changed, make it regenerate
// the tree from scratch and say why. On any failure the previous tree is left
// as it was and nothing half-built is moved into place.
//
// Usage, from the repository root:
//
//	go run ./scripts/delvetree [-lock patches/delve.lock] [-patches patches] [-out third_party/delve]
//
// (The Makefile runs it from the scripts module: cd scripts && go run ./delvetree -root ..)
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	root := flag.String("root", ".", "repository root; the other paths are relative to it")
	lock := flag.String("lock", "patches/delve.lock", "lock file naming the pinned Delve and its sums")
	patches := flag.String("patches", "patches", "directory of NNNN-*.patch files")
	out := flag.String("out", "third_party/delve", "where the patched tree goes")
	check := flag.Bool("check", false, "only report whether the tree is up to date (exit 1 if not)")
	flag.Parse()

	cfg := Config{
		Lock:    filepath.Join(*root, *lock),
		Patches: filepath.Join(*root, *patches),
		Out:     filepath.Join(*root, *out),
		Log:     os.Stderr,
	}
	if *check {
		state, why, err := cfg.Status()
		if err != nil {
			fatal(err)
		}
		fmt.Fprintf(os.Stderr, "delvetree: %s: %s\n", state, why)
		if state != UpToDate {
			os.Exit(1)
		}
		return
	}
	if err := cfg.Ensure(); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintf(os.Stderr, "delvetree: %v\n", err)
	os.Exit(1)
}
