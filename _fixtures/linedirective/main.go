// Command linedirective has code attributed to a grammar file by a //line
// directive, as goyacc and ragel generate.
//
// Build variants: -N -l. Expected doctor findings: BP-BUILDSYS-LINEDIR (info).
package main

import "fmt"

func parse(s string) int {
//line grammar.y:42
	return len(s) * 2
}

func main() {
	fmt.Println(parse("abc"))
}
