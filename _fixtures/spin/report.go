package main

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Under -report the workers count their iterations and run on threads of
// their own, so that the program can print, at exit:
//
//	report iterations N seconds S per_second R cpu_seconds C per_cpu_second Q
//
// per_second is over the wall clock (what a tracer that stops the process
// costs it), per_cpu_second over the CPU time of the workers' threads
// (what the work costs where the machine is shared: a uprobe's handler
// runs on, and is charged to, the thread it interrupts).
// scripts/bench-trace.sh reads the line.

// reportChunk is the default iterations of one call of spin under -report
// (-chunk sets it): about a millisecond on an idle core, so the count
// (whole chunks) is fine-grained over a run of seconds, while a preemption
// request (the signal arrives within microseconds) still nearly always
// finds the goroutine in the loop. A small -chunk makes main.spin's entry
// a location hit millions of times a second, which measures a tracer's
// own capacity rather than the runtime's preemption rate.
const reportChunk = 1 << 20

// iterations counts the spin iterations done under -report.
var iterations atomic.Int64

// workerThreads are the thread IDs of the workers under -report.
var workerThreads struct {
	sync.Mutex
	tids []int
}

// count is a worker under -report: it spins in chunks, counting each, on
// a thread of its own.
func count(chunk int) {
	runtime.LockOSThread()
	workerThreads.Lock()
	workerThreads.tids = append(workerThreads.tids, syscall.Gettid())
	workerThreads.Unlock()
	for {
		x := spin(chunk)
		iterations.Add(int64(chunk))
		sink = append(sink[:0], byte(x))
	}
}

// workersCPU returns the CPU time the workers' threads have used.
func workersCPU() time.Duration {
	workerThreads.Lock()
	defer workerThreads.Unlock()
	var sum time.Duration
	for _, tid := range workerThreads.tids {
		sum += threadCPU(tid)
	}
	return sum
}

// threadCPU reads the CPU clock of thread tid of this process (Linux's
// MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED)); 0 when it cannot.
func threadCPU(tid int) time.Duration {
	clock := int32(^uint32(tid))<<3 | 2 | 4
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, uintptr(clock), uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}

// printReport prints the report line after elapsed.
func printReport(elapsed time.Duration) {
	n, cpu := iterations.Load(), workersCPU()
	perCPU := 0.0
	if cpu > 0 {
		perCPU = float64(n) / cpu.Seconds()
	}
	fmt.Printf("report iterations %d seconds %.3f per_second %.0f cpu_seconds %.3f per_cpu_second %.0f\n",
		n, elapsed.Seconds(), float64(n)/elapsed.Seconds(), cpu.Seconds(), perCPU)
}
