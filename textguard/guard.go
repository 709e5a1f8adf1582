package textguard

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"

	"github.com/go-delve/delve/pkg/proc"
	"golang.org/x/sys/unix"
)

// A Guardian is a running guardian process that a Guard can retire.
type Guardian interface {
	// Retire ends the guardian without it touching the process.
	Retire()
}

// A Guard implements Delve's breakpoint text hooks (proc.BreakpointText):
// for the processes it applies to, breakpoint instructions are in the
// text only while the process runs, and a journal lists them for a
// guardian. The zero value applies to no process; set Applies.
type Guard struct {
	// Applies reports whether the process pid is guarded.
	Applies func(pid int) bool
	// StartGuardian, when set, starts a guardian for the journal file of
	// a process, at its first resume, given the process's /proc/PID/mem
	// opened for writing (nil when it could not be opened).
	StartGuardian func(journal string, mem *os.File) (Guardian, error)
	// Warn reports a failure that does not stop the session.
	Warn func(msg string)

	mu       sync.Mutex
	sessions map[*proc.Target]*session
	// running: between Resuming and Stopped. Delve adds a target (a child
	// that follow-exec follows) and its breakpoints inside Continue; a
	// debugger resumes one group at a time.
	running bool
}

// session is the guard's state for one process.
type session struct {
	id       Identity
	text     textRW // /proc/PID/mem, else Delve's memory
	mem      *Mem   // the open /proc/PID/mem, nil when closed to us
	armed    bool
	journal  *journalFile // nil: no journal (the identity is unknown)
	plan     *plan        // how the last resume wrote the instructions
	covered  bool         // the journal lists every entry of plan
	guardian Guardian
}

// Hooks returns the hooks to install in proc.BreakpointText.
func (g *Guard) Hooks() proc.TextHooks {
	return proc.TextHooks{Resuming: g.resuming, Stopped: g.stopped, Write: g.write, Detached: g.detached}
}

// AttachedProcess reports whether pid was not started by this process:
// an attached process, which outlives its debugger.
func AttachedProcess(pid int) bool {
	ppid, err := parentPID(pid)
	return err != nil || ppid != os.Getpid()
}

// session returns t's session, creating it; nil when t is not guarded:
// Applies says no, or t is no live process this one traces (a core file,
// a recording, another backend's).
// Called with g.mu held.
func (g *Guard) session(t *proc.Target) *session {
	if s, ok := g.sessions[t]; ok {
		return s
	}
	var s *session
	if g.Applies != nil && g.Applies(t.Pid()) && TracedByUs(t.Pid()) {
		s = g.newSession(t)
	}
	if g.sessions == nil {
		g.sessions = map[*proc.Target]*session{}
	}
	g.sessions[t] = s
	return s
}

func (g *Guard) newSession(t *proc.Target) *session {
	id, err := ReadIdentity(t.Pid())
	if err != nil {
		g.warn(fmt.Sprintf("no breakpoint journal for pid %d: %v", t.Pid(), err))
		return &session{text: delveMem{t}}
	}
	s := &session{id: id, journal: &journalFile{
		path:   Path(id),
		header: Journal{Target: id, Exe: t.BinInfo().Images[0].Path, Debugger: os.Getpid()},
	}}
	s.text = delveMem{t}
	if m, err := OpenMem(id); err == nil {
		s.mem = m
		s.text = &memOrDelve{mem: m, delve: delveMem{t}}
	}
	return s
}

func (g *Guard) warn(msg string) {
	if g.Warn != nil {
		g.Warn(msg)
	}
}

// liveTargets calls fn for each valid target of grp that is guarded.
func (g *Guard) liveTargets(grp *proc.TargetGroup, fn func(t *proc.Target, s *session) error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, t := range grp.Targets() {
		if ok, _ := t.Valid(); !ok {
			g.forget(t)
			continue
		}
		if s := g.session(t); s != nil {
			if err := fn(t, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// resuming journals every software breakpoint, then writes its
// instruction.
func (g *Guard) resuming(grp *proc.TargetGroup) error {
	g.setRunning(true)
	return g.liveTargets(grp, func(t *proc.Target, s *session) error {
		// The same breakpoints as at the last resume (a loop of continues):
		// the journal lists them already and the plan writes them.
		if !s.covered || !s.plan.matches(t.Breakpoints().M, t.BinInfo().Arch.BreakpointInstruction()) {
			entries := softwareEntries(t)
			err := s.journal.cover(entries)
			if err != nil {
				g.warn(err.Error())
			}
			s.covered = err == nil
			if s.plan == nil || !sameEntries(entries, s.plan.entries) {
				s.plan = makePlan(entries, s.text.Read)
			}
		}
		g.startGuardian(s)
		s.armed = true // from the first write on, a stop must restore
		for _, sp := range s.plan.spans {
			if err := s.text.Write(sp.armed, sp.addr); err != nil {
				return fmt.Errorf("write breakpoint at %#x: %w", sp.addr, err)
			}
		}
		return nil
	})
}

// stopped restores the original bytes of every software breakpoint: the
// plan's spans, then each breakpoint created while the process ran.
func (g *Guard) stopped(grp *proc.TargetGroup) {
	g.setRunning(false)
	g.liveTargets(grp, func(t *proc.Target, s *session) error {
		if !s.armed {
			return nil
		}
		restore := func(b []byte, addr uint64) {
			if err := s.text.Write(b, addr); err != nil {
				g.warn(fmt.Sprintf("restore the text at %#x at a stop: %v", addr, err))
			}
		}
		for _, sp := range s.plan.all() {
			restore(sp.clean, sp.addr)
		}
		for _, bp := range t.Breakpoints().M {
			if bp.WatchType == 0 && len(bp.OriginalData) > 0 && !s.plan.has(bp.Addr) {
				restore(bp.OriginalData, bp.Addr)
			}
		}
		s.armed = false
		return nil
	})
}

// write is Delve's write of a new software breakpoint: it reads the
// original bytes, and writes the instruction only while the processes run
// (Delve adds stepping breakpoints, and the breakpoints of a child that
// follow-exec follows, inside Continue), journalled first; a breakpoint
// created at a stop is written by the next resume.
func (g *Guard) write(t *proc.Target, bp *proc.Breakpoint) (bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.session(t)
	if s == nil {
		return false, nil
	}
	orig := make([]byte, t.BinInfo().Arch.BreakpointSize())
	if err := s.text.Read(orig, bp.Addr); err != nil {
		return true, err
	}
	bp.OriginalData = orig
	if !g.running {
		return true, nil
	}
	e := entry(t, bp)
	if err := s.journal.add(e); err != nil {
		g.warn(err.Error())
	}
	g.startGuardian(s) // for a target added inside Continue
	s.armed = true
	return true, s.text.Write(e.Instr, e.Addr)
}

func (g *Guard) setRunning(running bool) {
	g.mu.Lock()
	g.running = running
	g.mu.Unlock()
}

// detached retires the guardian of a process released cleanly.
func (g *Guard) detached(t *proc.Target, err error) {
	if err != nil {
		return // the guardian stays for the death that may follow
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.forget(t)
}

// forget ends t's session: guardian retired, journal removed.
func (g *Guard) forget(t *proc.Target) {
	s := g.sessions[t]
	delete(g.sessions, t)
	if s == nil {
		return
	}
	if s.guardian != nil {
		s.guardian.Retire()
	}
	if s.mem != nil {
		s.mem.Close()
	}
	s.journal.remove()
}

func (g *Guard) startGuardian(s *session) {
	if s.guardian != nil || !s.journal.exists() || g.StartGuardian == nil {
		return
	}
	var mem *os.File
	if s.mem != nil {
		mem = s.mem.f
	}
	gd, err := g.StartGuardian(s.journal.path, mem)
	if err != nil {
		g.warn(fmt.Sprintf("no guardian for %v: %v", s.id, err))
		g.StartGuardian = nil // one warning per session is enough
		return
	}
	s.guardian = gd
}

// A textRW reads and writes the text of a process.
type textRW interface {
	Read(b []byte, addr uint64) error
	Write(b []byte, addr uint64) error
}

// memOrDelve reads through /proc/PID/mem, and writes there until the
// kernel refuses a write (a kernel booted with proc_mem.force_override=never
// refuses writes to read-only text), then through Delve.
type memOrDelve struct {
	mem     *Mem
	delve   delveMem
	refused bool
}

func (m *memOrDelve) Read(b []byte, addr uint64) error { return m.mem.Read(b, addr) }

func (m *memOrDelve) Write(b []byte, addr uint64) error {
	if !m.refused {
		err := m.mem.Write(b, addr)
		if err == nil || !(errors.Is(err, unix.EIO) || errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES)) {
			return err
		}
		m.refused = true
	}
	return m.delve.Write(b, addr)
}

// delveMem is a process's memory through Delve (ptrace, on its thread):
// slower than /proc/PID/mem, which one syscall reads or writes.
type delveMem struct{ t *proc.Target }

func (m delveMem) Read(b []byte, addr uint64) error {
	_, err := m.t.Memory().ReadMemory(b, addr)
	return err
}

func (m delveMem) Write(b []byte, addr uint64) error {
	_, err := m.t.Memory().WriteMemory(addr, b)
	return err
}

// softwareEntries returns t's software breakpoints, sorted by address.
func softwareEntries(t *proc.Target) []Entry {
	var entries []Entry
	for _, bp := range t.Breakpoints().M {
		if bp.WatchType == 0 && len(bp.OriginalData) > 0 {
			entries = append(entries, entry(t, bp))
		}
	}
	slices.SortFunc(entries, func(a, b Entry) int {
		if a.Addr < b.Addr {
			return -1
		}
		if a.Addr > b.Addr {
			return 1
		}
		return 0
	})
	return entries
}

func entry(t *proc.Target, bp *proc.Breakpoint) Entry {
	return Entry{Addr: bp.Addr, Original: bp.OriginalData, Instr: t.BinInfo().Arch.BreakpointInstruction()}
}
