package textguard

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// retireMsg is what a debugger writes on the guardian's pipe to end it.
const retireMsg = "retire\n"

// A guardianProc is a guardian process and the write end of its pipe,
// which only the debugger holds: its closing (the debugger's death, at
// once, whatever the signal) is the guardian's cue.
type guardianProc struct {
	cmd  *exec.Cmd
	pipe *os.File
}

// SpawnGuardian starts "self args... journal" as a guardian: in its own
// session and process group (a signal to the debugger's group does not
// reach it), with the read end of its pipe as file descriptor 3, mem (the
// process's /proc/PID/mem the debugger opened, or nil) as 4, and the
// debugger's standard error for its one-line report. With mem, the
// guardian needs no permission of its own on the process: Yama's
// ptrace_scope 1 refuses a guardian, which is no ancestor of the process,
// the open of /proc/PID/mem, not the writes through a file opened by
// the debugger.
func SpawnGuardian(self string, args []string, journal string, mem *os.File) (Guardian, error) {
	r, w, err := os.Pipe() // close-on-exec: nothing else the debugger starts holds it
	if err != nil {
		return nil, fmt.Errorf("start guardian: %w", err)
	}
	defer r.Close()
	cmd := exec.Command(self, append(args, journal)...)
	cmd.ExtraFiles = []*os.File{r}
	if mem != nil {
		cmd.ExtraFiles = append(cmd.ExtraFiles, mem)
	}
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil, fmt.Errorf("start guardian: %w", err)
	}
	go cmd.Wait() // reap it whenever it ends
	return &guardianProc{cmd: cmd, pipe: w}, nil
}

// InheritedMem returns the file descriptor fd when it is the
// /proc/PID/mem of pid, as SpawnGuardian passes it, else nil.
func InheritedMem(fd uintptr, pid int) *os.File {
	link, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd))
	if err != nil || link != fmt.Sprintf("/proc/%d/mem", pid) {
		return nil
	}
	return os.NewFile(fd, link)
}

// Retire tells the guardian its job is over and closes the pipe.
func (g *guardianProc) Retire() {
	io.WriteString(g.pipe, retireMsg)
	g.pipe.Close()
}

// GuardianReport is what a guardian did.
type GuardianReport struct {
	Target       Identity      // the journal's process
	Retired      bool          // the debugger retired it
	TargetExited bool          // the process ended first
	Result       RestoreResult // after the debugger's death
	Window       time.Duration // from the pipe's end to restored text
	Continued    bool          // the guardian undid a stop the debugger's queued SIGSTOPs caused
}

// RunGuardian is the guardian's body: it waits on pipe (the read end the
// debugger's death closes) and on the process of the journal at path,
// restores the journal's bytes when the debugger dies, through mem when
// the debugger passed it (see InheritedMem; nil: it opens /proc/PID/mem
// itself), and removes the journal when its job is over. It refuses a
// process whose identity is not the journal's.
func RunGuardian(path string, pipe *os.File, mem func(pid int) *os.File) (GuardianReport, error) {
	signal.Ignore(syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGPIPE)
	j, err := ReadJournal(path)
	if errors.Is(err, fs.ErrNotExist) {
		// The session ended (its journal removed) before the guardian
		// started: nothing to guard.
		return GuardianReport{Retired: true}, nil
	}
	if err != nil {
		return GuardianReport{}, err
	}
	pidfd, err := unix.PidfdOpen(j.Target.PID, 0)
	if err != nil {
		return GuardianReport{}, fmt.Errorf("watch %v: %w", j.Target, err)
	}
	defer unix.Close(pidfd)
	// The pidfd refers to whatever process had the PID when it was opened:
	// check that it is the journal's.
	if err := j.Target.Check(); err != nil {
		return GuardianReport{}, err
	}
	ev, err := waitEvent(int(pipe.Fd()), pidfd)
	if err != nil {
		return GuardianReport{Target: j.Target}, err
	}
	switch ev {
	case evRetired:
		return GuardianReport{Target: j.Target, Retired: true}, nil
	case evTargetExited:
		os.Remove(path)
		return GuardianReport{Target: j.Target, TargetExited: true}, nil
	}
	died := time.Now()
	latest, err := ReadJournal(path) // with the entries appended since
	if errors.Is(err, fs.ErrNotExist) {
		return GuardianReport{Target: j.Target, Retired: true}, nil // removed at the session's end
	}
	if err != nil {
		return GuardianReport{Target: j.Target}, err
	}
	j = latest
	res, err := restoreThrough(j, mem(j.Target.PID))
	rep := GuardianReport{Target: j.Target, Result: res, Window: time.Since(died)}
	if err != nil && (!j.Target.Alive() || exitsWithin(pidfd, time.Second)) {
		// The process ended (killed, or a thread ran into an instruction
		// as the debugger died) before the restore: its journal means
		// nothing now. Still running but being killed, it looks alive:
		// the pidfd says when it ends.
		os.Remove(path)
		rep.TargetExited = true
		return rep, fmt.Errorf("%v ended before its text could be restored", j.Target)
	}
	if err == nil && len(res.Foreign) == 0 {
		os.Remove(path) // nothing left for the doctor to explain
	}
	var cerr error
	rep.Continued, cerr = continueDebuggerStop(j.Target, pidfd, stopWindow)
	return rep, errors.Join(err, cerr)
}

// restoreThrough restores j's entries through f, the /proc/PID/mem the
// debugger opened, or when nil through one of the guardian's own.
func restoreThrough(j *Journal, f *os.File) (RestoreResult, error) {
	if f == nil {
		return RestoreJournal(j)
	}
	m := &Mem{f: f, id: j.Target}
	defer m.Close()
	return m.Restore(j.Entries)
}

// exitsWithin reports whether the process of pidfd ends within d: a
// restore that failed on a process being killed is no failure to report.
func exitsWithin(pidfd int, d time.Duration) bool {
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	deadline := time.Now().Add(d)
	for {
		n, err := unix.Poll(fds, int(time.Until(deadline).Milliseconds()))
		if errors.Is(err, unix.EINTR) && time.Now().Before(deadline) {
			continue
		}
		return err == nil && n > 0
	}
}

type guardianEvent int

const (
	evDebuggerDied guardianEvent = iota
	evRetired
	evTargetExited
)

// waitEvent blocks until the pipe has data or ends, or the process ends.
func waitEvent(pipe, pidfd int) (guardianEvent, error) {
	fds := []unix.PollFd{{Fd: int32(pipe), Events: unix.POLLIN}, {Fd: int32(pidfd), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(fds, -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("guardian poll: %w", err)
		}
		if fds[0].Revents != 0 {
			buf := make([]byte, len(retireMsg))
			n, _ := unix.Read(pipe, buf)
			if n > 0 && string(buf[:n]) == retireMsg {
				return evRetired, nil
			}
			return evDebuggerDied, nil
		}
		if fds[1].Revents != 0 {
			return evTargetExited, nil
		}
	}
}
