// Command service is the dlvx test program for containers: a small HTTP
// server that answers every request with the number of requests so far.
// It prints "ready PID" (its PID in its own namespace), then "listen
// ADDR" once it accepts connections, and runs until killed.
//
// Build variants: any; container tests build it static (CGO_ENABLED=0).
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync/atomic"
)

var hits atomic.Int64

// handle answers one request.
func handle(w http.ResponseWriter, _ *http.Request) {
	n := hits.Add(1) // dlvx:mark handle
	fmt.Fprintf(w, "hit %d\n", n)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	fmt.Printf("ready %d\n", os.Getpid())
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listen %s\n", ln.Addr())
	http.HandleFunc("/", handle)
	fmt.Fprintln(os.Stderr, http.Serve(ln, nil))
	os.Exit(1)
}
