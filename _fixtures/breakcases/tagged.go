//go:build extra

package main

// extra exists only in builds with -tags extra.
func extra() int {
	return 42 // dlvx:mark tagged-body
}
