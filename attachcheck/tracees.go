package attachcheck

import (
	"errors"
	"path/filepath"
	"strconv"
)

// errNoThreads reports a /proc/self/task that lists no thread.
var errNoThreads = errors.New("no thread listed")

// Tracees returns the PIDs of the processes that a thread of the debugger
// (env's /proc/self) traces, in /proc order. A process whose status
// cannot be read is left out; an error means the debugger's own threads
// could not be listed, so nothing can be told.
func (env *Env) Tracees() ([]int, error) {
	self, err := ReadStatus(procPath(env.Proc, "self", "status"))
	if err != nil {
		return nil, err
	}
	threads, err := env.selfThreads()
	if err != nil {
		return nil, err
	}
	paths, err := filepath.Glob(procPath(env.Proc, "[0-9]*", "status"))
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, p := range paths {
		st, err := ReadStatus(p)
		if err == nil && st.PID != self.PID && threads[st.TracerPid] {
			pids = append(pids, st.PID)
		}
	}
	return pids, nil
}

// TracedBySelf reports whether tracer, a TracerPid, is a thread of the
// debugger: Delve traces from a locked OS thread, not the main one.
func (env *Env) TracedBySelf(tracer int) bool {
	if tracer <= 0 {
		return false
	}
	threads, err := env.selfThreads()
	return err == nil && threads[tracer]
}

// selfThreads returns the thread IDs of the debugger, from /proc/self/task.
func (env *Env) selfThreads() (map[int]bool, error) {
	dir := procPath(env.Proc, "self", "task")
	entries, err := filepath.Glob(filepath.Join(dir, "[0-9]*"))
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, &ProcError{Path: dir, Err: errNoThreads}
	}
	threads := make(map[int]bool, len(entries))
	for _, e := range entries {
		if tid, err := strconv.Atoi(filepath.Base(e)); err == nil {
			threads[tid] = true
		}
	}
	return threads, nil
}
