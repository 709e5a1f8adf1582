// Command crash is the dlvx test program for core files: it starts a few
// goroutines that block, prints "ready PID", then waits until it is
// killed (tests send SIGABRT under GOTRACEBACK=crash, or take a core with
// gcore). With -panic it panics instead of waiting. With -dontdump it
// first excludes the runtime's unused address-space reservations from
// core dumps, so that gcore writes a small core (dontdump.go).
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
	dontDump := flag.Bool("dontdump", false, "exclude unused reservations from core dumps (for gcore)")
	flag.Parse()
	ch := make(chan int)
	for i := range 4 {
		go parked(ch, i)
	}
	if *dontDump {
		if err := dontDumpReserved(); err != nil {
			fmt.Fprintln(os.Stderr, "crash:", err)
			os.Exit(2)
		}
	}
	fmt.Printf("ready %d\n", os.Getpid())
	if *doPanic {
		panic("crash fixture asked to panic") // dlvx:mark panic
	}
	for { // a pending timer: not a deadlock the runtime would crash on itself
		time.Sleep(time.Hour)
	}
}
