package preempttrace

import (
	"fmt"
	"sync"
	"time"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/api"
	"github.com/go-delve/delve/service/debugger"
)

// Ptrace traces o.Location with a Delve tracepoint: every hit stops the
// process, the event is read from Delve's stack, and the process goes on.
// The resolver must be installed (resolver.Install) for Delve to read the
// location. It returns when o.For has passed, o.Stop is closed or the target exits.
// A started program is killed at the end; an attached one is detached,
// with its code as it was.
func Ptrace(o Options) (*Summary, error) {
	spec, err := o.parse()
	if err != nil {
		return nil, err
	}
	cfg := &debugger.Config{AttachPid: o.Pid, WorkingDir: o.Dir, Backend: backend(o.Backend)}
	if o.Stdout != nil {
		cfg.Stdout = proc.OutputRedirect{File: o.Stdout}
	}
	d, err := debugger.New(cfg, o.Args)
	if err != nil {
		return nil, fmt.Errorf("start debugger: %w", err)
	}
	defer d.Detach(o.Pid == 0)
	bp, err := d.CreateBreakpoint(&api.Breakpoint{Tracepoint: true}, o.Location, nil, false)
	if err != nil {
		return nil, fmt.Errorf("set tracepoint at %s: %w", o.Location, err)
	}
	idx := frameIndex(spec)
	s := &Summary{Start: time.Now()}
	stopped := halter(d, o)
	defer stopped.done()
	for !stopped.requested() {
		state, err := d.Command(&api.DebuggerCommand{Name: api.Continue}, nil, nil, nil)
		if err != nil {
			s.End = time.Now()
			return s, fmt.Errorf("continue: %w", err)
		}
		now := time.Now()
		if state.Exited {
			s.End = now
			return s, nil
		}
		hit := false
		for _, th := range state.Threads {
			if th.Breakpoint == nil || th.Breakpoint.ID != bp.ID {
				continue
			}
			hit = true
			e := Event{Goroutine: th.GoroutineID, Thread: th.ID, Time: now, PC: th.PC, Function: th.Function.Name(), File: th.File, Line: th.Line}
			if bi := th.BreakpointInfo; bi != nil && idx < len(bi.Stacktrace) {
				f := bi.Stacktrace[idx]
				e.PC, e.File, e.Line, e.Function = f.PC, f.File, f.Line, f.Function.Name()
			}
			s.Add(e)
			if o.Event != nil {
				o.Event(e)
			}
		}
		if !hit {
			s.End = now
			return s, nil
		}
	}
	s.End = time.Now()
	return s, nil
}

// backend returns Delve's name for the default backend.
func backend(b string) string {
	if b == "" {
		return "default"
	}
	return b
}

// A halt stops a running Delve target when tracing should end.
type halt struct {
	mu   sync.Mutex
	req  bool
	quit chan struct{}
	wg   sync.WaitGroup
}

// halter halts d when o.For passes or o.Stop closes.
func halter(d *debugger.Debugger, o Options) *halt {
	h := &halt{quit: make(chan struct{})}
	expired, stopTimer := timer(o.For)
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		defer stopTimer()
		select {
		case <-h.quit:
			return
		case <-expired:
		case <-o.Stop:
		}
		h.mu.Lock()
		h.req = true
		h.mu.Unlock()
		// A halt that arrives between two continues is lost: repeat it
		// until the trace loop has seen the request. A failed halt means
		// the target is gone, which ends the loop too.
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			_, _ = d.Command(&api.DebuggerCommand{Name: api.Halt}, nil, nil, nil)
			select {
			case <-h.quit:
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

func (h *halt) requested() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.req
}

func (h *halt) done() {
	close(h.quit)
	h.wg.Wait()
}
