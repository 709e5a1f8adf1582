package textguard

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// A TracedError reports a process that a live debugger traces: repairing
// it would take the text from under that debugger.
type TracedError struct {
	PID, Tracer int
}

func (e *TracedError) Error() string {
	return fmt.Sprintf("pid %d is traced by pid %d, a live debugger: detach it first, or let it end its session", e.PID, e.Tracer)
}

// A RepairResult lists what a repair restored.
type RepairResult struct {
	Target   Identity
	Restored []Leftover
	Journal  *Journal // the dlvx journal of the process, nil when none
}

// Repair restores the original bytes of every breakpoint instruction left
// in pid's text, by anyone: it checks that no debugger traces pid and that
// every text mapping still matches its file, stops the process briefly
// (PTRACE_SEIZE and PTRACE_INTERRUPT: no signal is sent to it), writes the
// file's bytes back, and lets it run on.
func Repair(pid int) (*RepairResult, error) {
	id, err := ReadIdentity(pid)
	if err != nil {
		return nil, fmt.Errorf("repair: %w", err)
	}
	if tracer, err := TracerPID(pid); err != nil {
		return nil, fmt.Errorf("repair: %w", err)
	} else if tracer != 0 {
		return nil, &TracedError{PID: pid, Tracer: tracer}
	}
	scan, err := ScanText(pid)
	if err != nil {
		return nil, fmt.Errorf("repair: %w", err)
	}
	if len(scan.Mismatch) > 0 {
		return nil, fmt.Errorf("repair pid %d: %s: %w", pid, scan.Mismatch[0], ErrFileMismatch)
	}
	res := &RepairResult{Target: id}
	res.Journal, _ = FindJournal(id)
	if len(scan.Leftovers) == 0 {
		return res, nil
	}
	err = whileStopped(pid, func() error {
		m, err := OpenMem(id)
		if err != nil {
			return err
		}
		defer m.Close()
		for _, l := range scan.Leftovers {
			r, err := m.Restore([]Entry{{Addr: l.Addr, Original: l.Original, Instr: l.Instr}})
			if err != nil {
				return err
			}
			if len(r.Restored) > 0 {
				res.Restored = append(res.Restored, l)
			}
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("repair pid %d: %w", pid, err)
	}
	if res.Journal != nil {
		os.Remove(Path(id))
	}
	return res, nil
}

// whileStopped runs fn with every thread of pid stopped by this process
// (seized and interrupted), then detaches. A seize fails with EPERM when
// another debugger got there first.
func whileStopped(pid int, fn func() error) error {
	runtime.LockOSThread() // ptrace requests must come from the tracing thread
	defer runtime.UnlockOSThread()
	var seized []int
	pending := map[int]unix.Signal{} // a signal a thread stopped with instead of the interrupt
	defer func() {
		for _, tid := range seized {
			// PTRACE_DETACH delivers the signal in data: pass on what we took.
			unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_DETACH, uintptr(tid), 0, uintptr(pending[tid]), 0, 0)
		}
	}()
	for {
		tids, err := threads(pid)
		if err != nil {
			return err
		}
		added := 0
		for _, tid := range tids {
			if contains(seized, tid) {
				continue
			}
			if err := unix.PtraceSeize(tid); err != nil {
				if errors.Is(err, unix.ESRCH) {
					continue // the thread ended
				}
				return fmt.Errorf("seize thread %d: %w", tid, err)
			}
			seized = append(seized, tid)
			added++
			if err := unix.PtraceInterrupt(tid); err != nil {
				return fmt.Errorf("interrupt thread %d: %w", tid, err)
			}
			var ws unix.WaitStatus
			if _, err := unix.Wait4(tid, &ws, unix.WALL, nil); err != nil {
				return fmt.Errorf("wait for thread %d: %w", tid, err)
			}
			if ws.Stopped() && ws.StopSignal() != unix.SIGTRAP && ws.TrapCause() != unix.PTRACE_EVENT_STOP {
				pending[tid] = ws.StopSignal()
			}
		}
		if added == 0 {
			break // every thread is stopped: none can start another
		}
	}
	return fn()
}

func threads(pid int) ([]int, error) {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return nil, err
	}
	var tids []int
	for _, e := range ents {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	return tids, nil
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
