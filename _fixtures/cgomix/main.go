// Command cgomix calls a C function through cgo, so its binary holds C
// compile units next to Go ones.
//
// Build variants: default and -N -l. Expected doctor findings: BP-CGO
// (info), plus BP-OPT without -N -l.
package main

/*
static int twice(int x) {
	return 2 * x;
}
*/
import "C"

import "fmt"

func main() {
	v := int(C.twice(21)) // dlvx:mark cgo-call
	fmt.Println(v)
}
