// Package util is the second main.go of the shop fixture.
package util

// Greeting returns a greeting for name.
func Greeting(name string) string {
	return "hello, " + name // dlvx:mark greeting-body
}
