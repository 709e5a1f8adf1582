// Command vforkhold keeps its main thread where no signal stops it, without
// a frozen cgroup: it vforks a child that waits in pause(2), so the main
// thread waits in the kernel (State D) until the child exits or execs, and
// PTRACE_ATTACH queues a stop that cannot come until the child is killed.
// It prints "ready PID", then "resumed" and "done" once the child is gone.
//
// vfork is called from C: glibc's vfork keeps its return address out of
// the stack the child then uses; a raw clone from Go does not, and the
// parent would resume in the child's code.
//
// Build variants: -N -l (linux, cgo). Expected doctor findings: BP-CGO.
package main

/*
#include <unistd.h>

static void hold(void) {
	if (vfork() == 0) {
		for (;;)
			pause();
	}
}
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"
)

func init() { runtime.LockOSThread() } // main runs on the main thread

func main() {
	fmt.Printf("ready %d\n", os.Getpid())
	C.hold()
	fmt.Println("resumed")
	fmt.Println("done")
}
