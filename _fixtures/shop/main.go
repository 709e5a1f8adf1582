// Command shop has two files named main.go (this one and util/main.go),
// for the doctor's path verdicts: a basename the binary holds twice must
// not read as "not compiled in", and the substitutePath rule proposed for
// either must map both.
//
// Build variants: -N -l, in a copy of this directory elsewhere.
package main

import (
	"fmt"

	"example.com/shop/util"
)

func main() {
	fmt.Println(util.Greeting("shop")) // dlvx:mark main-body
}
