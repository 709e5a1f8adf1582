// Command breakcases holds the lines and functions the doctor's --break
// tests ask about: a statement, a blank line, a comment, a small function
// the compiler inlines, and a function nothing calls (the linker drops it).
//
// Build variants: -N -l (every marked statement binds) and default
// (inlining and dead-code removal). Expected doctor findings: none with
// -N -l; BP-OPT otherwise. tagged.go is compiled only with -tags extra.
package main

import (
	"fmt"
	"os"
)

// add is small enough to be inlined everywhere in an optimized build.
func add(a, b int) int {
	return a + b // dlvx:mark add-body
}

// unused is never called: the linker removes it.
func unused() string {
	return "unused" // dlvx:mark unused-body
}

func main() {
	total := 0
	for i := 0; i < len(os.Args)+2; i++ {
		total = add(total, i) // dlvx:mark loop-call

		// dlvx:mark comment-line
	}
	fmt.Println("total", total) // dlvx:mark print
}
