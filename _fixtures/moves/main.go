// Command moves holds the lines the DAP layer's editor features are tested
// on: a comment line inside a function (the breakpoint moves to the next
// statement), lines outside any function (it stays unverified), a line
// with two calls (Step Into Target), lines to jump to (Set Next Statement)
// and a struct and a map in scope (completions).
//
// Build variants: -N -l and default. Expected doctor findings: none with
// -N -l; BP-OPT otherwise.
package main // dlvx:mark package

import ( // dlvx:mark import
	"fmt"
	"os"
)

var greeting = "total" // dlvx:mark var-decl

var pid = os.Getpid() // dlvx:mark var-init
// dlvx:mark after-decls

type point struct {
	X, Y int
}

// double is small enough to be inlined in an optimized build.
func double(n int) int {
	return n * 2 // dlvx:mark double-body
}

// dlvx:mark between-funcs

func triple(n int) int {
	return n * 3 // dlvx:mark triple-body
}

func main() { // dlvx:mark main-start
	p := point{X: len(os.Args), Y: 2} // dlvx:mark point
	m := map[string]int{"alpha": 1, "beta": 2}
	// dlvx:mark comment-in-main
	total := double(p.X) + triple(p.Y) // dlvx:mark two-calls
	total++                            // dlvx:mark after-calls
	if len(os.Args) > 5 {
		total = 0 // dlvx:mark skipped
	}
	fmt.Println(greeting, pid > 0, total, m["alpha"], p) // dlvx:mark print
} // dlvx:mark main-end
