package dapdoctor

import (
	"errors"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/dlvx/dlvx/breakcheck"
	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/go-delve/delve/pkg/proc"
)

// maxCachedInputs bounds the executables a long-running server (headless
// with --accept-multiclient) keeps loaded.
const maxCachedInputs = 4

// A cache holds the Inputs of the executables most recently examined.
type cache struct {
	mu     sync.Mutex
	inputs []*cachedInput // most recently used last
}

// A cachedInput is one executable's Input. Input is not safe for
// concurrent use: mu serialises the session's two relay goroutines.
type cachedInput struct {
	mu     sync.Mutex
	closed bool // evicted: in is closed
	path   string
	size   int64
	mtime  time.Time
	in     *dwarfcheck.Input
}

// errEvicted reports an executable that changed while it was examined.
var errEvicted = errors.New("the executable changed while dlvx examined it")

// input returns the cached Input for path, replacing it when the file
// changed (a rebuilt __debug_bin keeps its name).
func (d *cache) input(path string) (*cachedInput, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err // an *fs.PathError naming path
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, c := range d.inputs {
		if c.path != path {
			continue
		}
		d.inputs = append(d.inputs[:i], d.inputs[i+1:]...)
		if c.size == st.Size() && c.mtime.Equal(st.ModTime()) {
			d.inputs = append(d.inputs, c)
			return c, nil
		}
		go c.close() // waits for a user of the stale entry
		break
	}
	c := &cachedInput{path: path, size: st.Size(), mtime: st.ModTime(), in: breakcheck.NewInput(path)}
	// No workspace: the stale-binary check would ask git about a
	// directory of the binary's, not the user's.
	c.in.GitHead = nil
	if len(d.inputs) == maxCachedInputs {
		go d.inputs[0].close()
		d.inputs = d.inputs[1:]
	}
	d.inputs = append(d.inputs, c)
	return c, nil
}

// drop forgets c and closes it once its users are done: what the doctor
// read at launch (DWARF sections, unit tables) would otherwise stay live
// for the whole session, and Go's heap grows by twice what stays live.
func (d *cache) drop(c *cachedInput) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if i := slices.Index(d.inputs, c); i >= 0 {
		d.inputs = slices.Delete(d.inputs, i, i+1)
		go c.close()
	}
}

// use runs f on the Input, serialised with every other use, and returns
// its error, or errEvicted when the Input was evicted while f waited.
func (c *cachedInput) use(f func(*dwarfcheck.Input) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errEvicted
	}
	return f(c.in)
}

func (c *cachedInput) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.in.Close()
}

// A sessionInput is the Input over the BinaryInfo of the session's
// debugger (breakcheck.SessionInput), kept while the session's debugger
// has that BinaryInfo: a restart or another session loads a new one.
type sessionInput struct {
	mu sync.Mutex
	bi *proc.BinaryInfo
	in *dwarfcheck.Input
}

// use runs f on the Input over bi, serialised with every other use. The
// caller holds the session's target lock.
func (s *sessionInput) use(bi *proc.BinaryInfo, f func(*dwarfcheck.Input) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bi != bi {
		if s.in != nil {
			s.in.Close()
		}
		in, err := breakcheck.SessionInput(bi)
		if err != nil {
			s.bi, s.in = nil, nil
			return err
		}
		s.bi, s.in = bi, in
	}
	return f(s.in)
}
