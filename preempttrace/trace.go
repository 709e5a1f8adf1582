package preempttrace

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/dlvx/dlvx/resolver"
)

// Options says what to trace and where.
type Options struct {
	Location string   // a dlvx location: preempt:entry@g7, main.work+0x1c
	Args     []string // the program and its arguments, to start it
	Pid      int      // or the process to attach to
	Dir      string   // working directory of a started program
	Backend  string   // Delve backend (ptrace tracing): "default", "native"
	For      time.Duration
	// Stdout receives a started program's standard output (nil: this
	// process's), so that --json output stays apart from it.
	Stdout *os.File
	// Stop, when closed, ends tracing (Ctrl-C).
	Stop <-chan struct{}
	// Event receives each event, from one goroutine, in arrival order.
	Event func(Event)
}

// ErrNotLocation is returned for a location that is not in dlvx's syntax.
var ErrNotLocation = errors.New("not a dlvx location (preempt:HOOK, SYMBOL+OFFSET, LOCATION@gN)")

// parse parses o.Location and checks the target options.
func (o *Options) parse() (*resolver.Spec, error) {
	spec, err := resolver.Parse(o.Location)
	if err != nil {
		return nil, err
	}
	if spec == nil {
		return nil, fmt.Errorf("%q: %w", o.Location, ErrNotLocation)
	}
	if (o.Pid == 0) == (len(o.Args) == 0) {
		return nil, errors.New("trace needs a program to start or a process to attach to, not both")
	}
	return spec, nil
}

// frameIndex returns which stack frame an event at spec is about: the
// preempted frame at a hook, the location's own frame otherwise.
func frameIndex(spec *resolver.Spec) int { return max(spec.StackDepth()-1, 0) }

// timer returns a channel closed after d, or nil (never) for d == 0.
func timer(d time.Duration) (<-chan time.Time, func()) {
	if d <= 0 {
		return nil, func() {}
	}
	t := time.NewTimer(d)
	return t.C, func() { t.Stop() }
}
