// Command worker is the dlvx test program for exec, attach and headless
// sessions: it calls work a given number of times, pausing between calls,
// then prints "done" and the total, and exits 0.
//
// Build variants: any. Expected doctor findings: none with -N -l.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

// work returns a value that depends on i, so that its locals are live.
func work(i int) int {
	doubled := i * 2 // dlvx:mark work-body
	return doubled + 1
}

func main() {
	n := flag.Int("n", 3, "calls to work")
	pause := flag.Duration("pause", 0, "pause after each call")
	flag.Parse()
	fmt.Printf("ready %d\n", os.Getpid())
	total := 0
	for i := 0; i < *n; i++ {
		total += work(i) // dlvx:mark loop-call
		time.Sleep(*pause)
	}
	fmt.Println("done", total) // dlvx:mark done
}
