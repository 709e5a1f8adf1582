//go:build withcgo

package main

/*
static int twice(int x) { return 2 * x; }
*/
import "C"

// cgoValue makes the binary call C, so it is linked with libc.
var cgoValue = int(C.twice(21))
