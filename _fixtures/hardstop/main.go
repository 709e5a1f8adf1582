// Command hardstop calls runtime.Breakpoint when asked to, so its binary
// holds a hard-coded stop.
//
// Build variants: -N -l. Expected doctor findings: BP-HARDSTOP (info).
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "stop" {
		runtime.Breakpoint() // dlvx:mark hard-stop
	}
	fmt.Println("ok")
}
