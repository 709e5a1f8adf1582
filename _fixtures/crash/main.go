// Command crash is the dlvx test program for core files: it starts a few
// goroutines that block, prints "ready PID", then waits until it is
// killed (tests send SIGABRT under GOTRACEBACK=crash, or take a core with
// gcore). With -panic it panics instead of waiting.
//
// Build variants: any, PIE or not, -tags withcgo for a cgo binary (cgo.go).
// Expected core doctor findings: none of error level for its own core.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

// parked blocks forever, so that its goroutine is in the core.
func parked(ch chan int, id int) {
	v := <-ch // dlvx:mark parked
	fmt.Println(v, id)
}

func main() {
	doPanic := flag.Bool("panic", false, "panic after the ready line")
	flag.Parse()
	ch := make(chan int)
	for i := range 4 {
		go parked(ch, i)
	}
	fmt.Printf("ready %d\n", os.Getpid())
	if *doPanic {
		panic("crash fixture asked to panic") // dlvx:mark panic
	}
	for { // a pending timer: not a deadlock the runtime would crash on itself
		time.Sleep(time.Hour)
	}
}
