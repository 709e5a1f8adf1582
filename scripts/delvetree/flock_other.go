//go:build !unix

package main

// lockDir is a no-op where flock does not exist: runs must not overlap.
func lockDir(dir string) (func(), error) { return func() {}, nil }
