package textguard

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ErrIdentityChanged reports a PID that now belongs to another process
// than the one a journal was written for.
var ErrIdentityChanged = errors.New("the PID belongs to another process now")

// An Identity names one process for its whole life: PIDs are reused, the
// pair of PID and start time (field 22 of /proc/PID/stat, in clock ticks
// since boot) is not.
type Identity struct {
	PID   int
	Start uint64
}

func (id Identity) String() string { return fmt.Sprintf("pid %d (start %d)", id.PID, id.Start) }

// ReadIdentity reads the identity of the process pid.
func ReadIdentity(pid int) (Identity, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return Identity{}, fmt.Errorf("read identity of pid %d: %w", pid, err)
	}
	start, err := parseStart(string(data))
	if err != nil {
		return Identity{}, fmt.Errorf("read identity of pid %d: %w", pid, err)
	}
	return Identity{PID: pid, Start: start}, nil
}

// statFields returns the fields of /proc/PID/stat after the command name,
// which may hold spaces and parentheses: field 3 is the first.
func statFields(stat string) ([]string, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return nil, errors.New("malformed stat: no command name")
	}
	return strings.Fields(stat[i+1:]), nil
}

func parseStart(stat string) (uint64, error) {
	f, err := statFields(stat)
	if err != nil {
		return 0, err
	}
	const startField = 22 - 3
	if len(f) <= startField {
		return 0, errors.New("malformed stat: too few fields")
	}
	return strconv.ParseUint(f[startField], 10, 64)
}

// Alive reports whether the process id still runs: it has the PID, and
// is no zombie whose memory is gone.
func (id Identity) Alive() bool {
	state, ok := processState(id)
	return ok && state != 'Z' && state != 'X'
}

// parentPID returns the parent of pid, from /proc/PID/stat field 4.
func parentPID(pid int) (int, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	f, err := statFields(string(data))
	if err != nil || len(f) < 2 {
		return 0, fmt.Errorf("malformed stat of pid %d", pid)
	}
	return strconv.Atoi(f[1])
}

// Check returns ErrIdentityChanged unless the process id.PID is still the
// one that started at id.Start.
func (id Identity) Check() error {
	now, err := ReadIdentity(id.PID)
	if err != nil {
		return err
	}
	if now != id {
		return fmt.Errorf("%v, journal has %v: %w", now, id, ErrIdentityChanged)
	}
	return nil
}

// TracerPID returns the PID tracing pid, 0 when none.
func TracerPID(pid int) (int, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "TracerPid:"); ok {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, fmt.Errorf("no TracerPid in /proc/%d/status", pid)
}

// TracedByUs reports whether a thread of this process traces pid: a live
// process Delve's native backend debugs, not a core file's or a recording's
// PID, which may name an unrelated process of this machine.
func TracedByUs(pid int) bool {
	tracer, err := TracerPID(pid)
	if err != nil || tracer == 0 {
		return false
	}
	_, err = os.Stat(fmt.Sprintf("/proc/self/task/%d", tracer))
	return err == nil
}
