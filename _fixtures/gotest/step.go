// Package gotest is the dlvx test package for "mode": "test" sessions: a
// function and the test that calls it, debugged through the test binary.
//
// Build variants: go test -c. Expected doctor findings: none with -N -l.
package gotest

// Step doubles i.
func Step(i int) int {
	return i * 2 // dlvx:mark step-body
}
