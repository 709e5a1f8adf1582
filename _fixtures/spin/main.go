// Command spin keeps goroutines busy in loops without calls, so that the Go
// runtime can only stop them by asynchronous preemption, while another
// goroutine allocates to start garbage collections (which suspend goroutines
// for stack scans). It runs until killed, or for -for when that is set.
//
// With -report (and -for) it prints its throughput at exit (report.go).
//
// Build variants: any, any Go toolchain, PIE or not. Tests stop it at
// preempt: hooks and compare the preempted frame's line with the line of
// the preempted PC.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

var sink []byte

// spin loops n times without a call, so it has no synchronous safe point.
// It stays a function of its own in optimized builds too.
//
//go:noinline
func spin(n int) int {
	x := 1
	for i := 0; i < n; i++ { // dlvx:mark spin-loop
		x = x*31 + i // dlvx:mark spin-body
		x ^= x >> 7  // dlvx:mark spin-mix
	}
	return x
}

// churn allocates so that the collector runs and scans spinning stacks.
func churn() {
	for {
		sink = make([]byte, 1<<16) // dlvx:mark churn
	}
}

func main() {
	workers := flag.Int("workers", 2, "spinning goroutines")
	limit := flag.Duration("for", 0, "exit after this long (0: run until killed)")
	report := flag.Bool("report", false, "with -for: print the loop iterations per second at exit")
	chunk := flag.Int("chunk", reportChunk, "with -report: iterations per call of spin")
	flag.Parse()
	if *report && *limit <= 0 || *chunk <= 0 {
		fmt.Fprintln(os.Stderr, "spin: -report needs -for, and -chunk a positive count")
		os.Exit(2)
	}
	fmt.Printf("ready %d\n", os.Getpid())
	start := time.Now()
	go churn()
	for w := 0; w < *workers; w++ {
		if *report {
			go count(*chunk)
			continue
		}
		go func() {
			for {
				sink = append(sink[:0], byte(spin(1<<30))) // dlvx:mark worker
			}
		}()
	}
	if *limit > 0 {
		time.Sleep(*limit)
		if *report {
			printReport(time.Since(start))
		}
		os.Exit(0)
	}
	select {}
}
