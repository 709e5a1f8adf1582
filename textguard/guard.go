package textguard

import (
	"fmt"
	"os"
	"slices"
	"sync"

	"github.com/go-delve/delve/pkg/proc"
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
	// a process, at its first resume.
	StartGuardian func(journal string) (Guardian, error)
	// Warn reports a failure that does not stop the session.
	Warn func(msg string)

	mu       sync.Mutex
	sessions map[*proc.Target]*session
}

// session is the guard's state for one process.
type session struct {
	id       Identity
	mem      *Mem // nil: writes go through Delve
	armed    bool
	path     string
	journal  Journal
	written  bool // the journal file holds journal
	guardian Guardian
}

// Hooks returns the hooks to install in proc.BreakpointText.
func (g *Guard) Hooks() proc.TextHooks {
	return proc.TextHooks{Resuming: g.resuming, Stopped: g.stopped, Written: g.written, Detached: g.detached}
}

// AttachedProcess reports whether pid was not started by this process:
// an attached process, which outlives its debugger.
func AttachedProcess(pid int) bool {
	ppid, err := parentPID(pid)
	return err != nil || ppid != os.Getpid()
}

// session returns t's session, creating it; nil when t is not guarded.
// Called with g.mu held.
func (g *Guard) session(t *proc.Target) *session {
	if s, ok := g.sessions[t]; ok {
		return s
	}
	var s *session
	if g.Applies != nil && g.Applies(t.Pid()) {
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
		return &session{}
	}
	s := &session{id: id, path: Path(id)}
	s.journal = Journal{Target: id, Exe: t.BinInfo().Images[0].Path, Debugger: os.Getpid()}
	if m, err := OpenMem(id); err == nil {
		s.mem = m
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

// resuming journals and writes every software breakpoint's instruction.
func (g *Guard) resuming(grp *proc.TargetGroup) error {
	return g.liveTargets(grp, func(t *proc.Target, s *session) error {
		entries := softwareEntries(t)
		if !s.written || !sameEntries(entries, s.journal.Entries) {
			s.journal.Entries = entries
			g.saveJournal(s)
		}
		g.startGuardian(s)
		for _, e := range entries {
			if err := s.write(t, e.Instr, e.Addr); err != nil {
				return fmt.Errorf("write breakpoint at %#x: %w", e.Addr, err)
			}
		}
		s.armed = true
		return nil
	})
}

// stopped restores every software breakpoint's original bytes.
func (g *Guard) stopped(grp *proc.TargetGroup) {
	g.liveTargets(grp, func(t *proc.Target, s *session) error {
		if !s.armed {
			return nil
		}
		for _, bp := range t.Breakpoints().M {
			if bp.WatchType == 0 && len(bp.OriginalData) > 0 {
				if err := s.write(t, bp.OriginalData, bp.Addr); err != nil {
					g.warn(fmt.Sprintf("restore the text at %#x at a stop: %v", bp.Addr, err))
				}
			}
		}
		s.armed = false
		return nil
	})
}

// written undoes the write of a breakpoint created while the process is
// stopped, or journals one created while it runs (Delve adds stepping
// breakpoints inside Continue).
func (g *Guard) written(t *proc.Target, bp *proc.Breakpoint) error {
	if bp.WatchType != 0 {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.session(t)
	if s == nil {
		return nil
	}
	if !s.armed {
		return s.write(t, bp.OriginalData, bp.Addr)
	}
	s.journal.Entries = append(s.journal.Entries, entry(t, bp))
	g.saveJournal(s)
	return nil
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
	if s.written {
		os.Remove(s.path)
	}
}

func (g *Guard) saveJournal(s *session) {
	if s.path == "" {
		return
	}
	if err := s.journal.Write(s.path); err != nil {
		g.warn(err.Error())
		return
	}
	s.written = true
}

func (g *Guard) startGuardian(s *session) {
	if s.guardian != nil || !s.written || g.StartGuardian == nil {
		return
	}
	gd, err := g.StartGuardian(s.path)
	if err != nil {
		g.warn(fmt.Sprintf("no guardian for %v: %v", s.id, err))
		g.StartGuardian = nil // one warning per session is enough
		return
	}
	s.guardian = gd
}

// write writes b at addr, through /proc/PID/mem when open (one syscall,
// no hand-off to Delve's ptrace thread), else through Delve.
func (s *session) write(t *proc.Target, b []byte, addr uint64) error {
	if s.mem != nil {
		return s.mem.Write(b, addr)
	}
	_, err := t.Memory().WriteMemory(addr, b)
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
