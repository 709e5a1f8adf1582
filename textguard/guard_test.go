package textguard

import (
	"bytes"
	"go/ast"
	"go/constant"
	"go/parser"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/pkg/proc/native"

	"github.com/dlvx/dlvx/internal/fixtures"
)

// slowWorker makes the worker call main.work every millisecond, for
// minutes: it is still in its loop whenever a test attaches.
var slowWorker = []string{"-n", "100000", "-pause", "1ms"}

// A rig is a worker fixture attached in process by Delve with a Guard
// installed as its text hooks, counting the hook calls.
type rig struct {
	t       testing.TB
	g       *Guard
	grp     *proc.TargetGroup
	p       *proc.Target
	id      Identity
	resumes int
	stops   int
	started []string // journals a guardian was started for
	mems    []string // what its memory file names
	retired int
}

type fakeGuardian struct{ r *rig }

func (f fakeGuardian) Retire() { f.r.retired++ }

// newRig starts the worker with args and attaches to it.
func newRig(t testing.TB, args ...string) *rig {
	bin := fixtures.Build(t, "worker", fixtures.NoOpt)
	tg := fixtures.StartReady(t, bin, args...)
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir()) // the journals
	r := &rig{t: t}
	r.g = &Guard{
		Applies: func(int) bool { return true }, // a child of the test: dlvx would not guard it
		Warn:    func(msg string) { t.Errorf("guard warning: %s", msg) },
		StartGuardian: func(journal string, mem *os.File) (Guardian, error) {
			r.started = append(r.started, journal)
			link := "none"
			if mem != nil {
				link, _ = os.Readlink("/proc/self/fd/" + strconv.Itoa(int(mem.Fd())))
			}
			r.mems = append(r.mems, link)
			return fakeGuardian{r}, nil
		},
	}
	h := r.g.Hooks()
	resuming, stopped := h.Resuming, h.Stopped
	h.Resuming = func(grp *proc.TargetGroup) error { r.resumes++; return resuming(grp) }
	h.Stopped = func(grp *proc.TargetGroup) { r.stops++; stopped(grp) }
	prev := proc.BreakpointText
	proc.BreakpointText = h
	t.Cleanup(func() { proc.BreakpointText = prev })
	grp, err := native.Attach(tg.PID, nil, nil)
	if err != nil {
		t.Fatalf("attach: %v", err)
	}
	t.Cleanup(func() { grp.Detach(false) })
	r.grp, r.p = grp, grp.Selected
	if r.id, err = ReadIdentity(tg.PID); err != nil {
		t.Fatal(err)
	}
	return r
}

// session returns the guard's session of the process.
func (r *rig) session() *session {
	r.g.mu.Lock()
	defer r.g.mu.Unlock()
	return r.g.session(r.p)
}

// breakAt sets a breakpoint at fn's entry with condition cond ("" for none).
func (r *rig) breakAt(fn, cond string) *proc.Breakpoint {
	r.t.Helper()
	addrs, err := proc.FindFunctionLocation(r.p, fn, 0)
	if err != nil {
		r.t.Fatal(err)
	}
	var expr ast.Expr
	if cond != "" {
		if expr, err = parser.ParseExpr(cond); err != nil {
			r.t.Fatal(err)
		}
	}
	bp, err := r.p.SetBreakpoint(int(addrs[0]), addrs[0], proc.UserBreakpoint, expr)
	if err != nil {
		r.t.Fatalf("break %s: %v", fn, err)
	}
	return bp
}

// checkClean fails unless every software breakpoint's address holds its
// original bytes in the process, read through /proc/PID/mem.
func (r *rig) checkClean(when string) {
	r.t.Helper()
	f, err := os.Open("/proc/" + strconv.Itoa(r.p.Pid()) + "/mem")
	if err != nil {
		r.t.Fatal(err)
	}
	defer f.Close()
	for _, bp := range r.p.Breakpoints().M {
		if bp.WatchType != 0 {
			continue
		}
		got := make([]byte, len(bp.OriginalData))
		if _, err := f.ReadAt(got, int64(bp.Addr)); err != nil {
			r.t.Fatal(err)
		}
		if !bytes.Equal(got, bp.OriginalData) || len(got) == 0 {
			r.t.Errorf("%s: %#x (%s:%d) holds % x, want the original % x", when, bp.Addr, bp.File, bp.Line, got, bp.OriginalData)
		}
	}
}

// localInt evaluates the integer variable name at the current stop.
func (r *rig) localInt(name string) int64 {
	r.t.Helper()
	scope, err := proc.GoroutineScope(r.p, r.p.CurrentThread())
	if err != nil {
		r.t.Fatal(err)
	}
	v, err := scope.EvalExpression(name, proc.LoadConfig{})
	if err != nil || v.Value == nil {
		r.t.Fatalf("eval %s: %v", name, err)
	}
	n, _ := constant.Int64Val(v.Value)
	return n
}

// TestGuardStopsClean: a breakpoint is not written at its creation, is
// written (journalled, a guardian started) by the resume, holds its
// original bytes again at the stop, and a clean detach retires the
// guardian and removes the journal.
func TestGuardStopsClean(t *testing.T) {
	r := newRig(t, slowWorker...)
	bp := r.breakAt("main.work", "")
	r.checkClean("after creating the breakpoint")
	if _, err := os.Stat(Path(r.id)); err == nil {
		t.Error("journal written before any resume")
	}
	if err := r.grp.Continue(); err != nil {
		t.Fatal(err)
	}
	if pc := mustPC(t, r.p); pc != bp.Addr {
		t.Fatalf("stopped at %#x, want the breakpoint at %#x", pc, bp.Addr)
	}
	r.checkClean("at the stop")
	j, err := ReadJournal(Path(r.id))
	if err != nil || len(j.Entries) == 0 || j.Target != r.id || j.Debugger != os.Getpid() {
		t.Fatalf("journal %+v, %v", j, err)
	}
	if !journalLists(j, bp.Addr) {
		t.Errorf("journal %+v lacks the breakpoint at %#x", j.Entries, bp.Addr)
	}
	if len(r.started) != 1 || r.started[0] != Path(r.id) {
		t.Errorf("guardians started for %q, want one for %s", r.started, Path(r.id))
	}
	if want := "/proc/" + strconv.Itoa(r.id.PID) + "/mem"; len(r.mems) != 1 || r.mems[0] != want {
		t.Errorf("guardian given memory files %q, want %s", r.mems, want)
	}
	if err := r.grp.Continue(); err != nil {
		t.Fatal(err)
	}
	r.checkClean("at the second stop")
	if len(r.started) != 1 {
		t.Errorf("%d guardians started, want 1 per session", len(r.started))
	}
	if err := r.grp.Detach(false); err != nil {
		t.Fatal(err)
	}
	if r.retired != 1 {
		t.Errorf("guardian retired %d times at the detach, want 1", r.retired)
	}
	if _, err := os.Stat(Path(r.id)); err == nil {
		t.Error("journal left after a clean detach")
	}
}

// TestGuardFalseConditionInsideContinue: hits whose condition is false
// are skipped inside one Continue, without the instructions being removed
// and written back for each: one resume, one stop, the text written once
// to arm and once to restore.
func TestGuardFalseConditionInsideContinue(t *testing.T) {
	r := newRig(t, slowWorker...)
	bp := r.breakAt("main.work", "")
	if err := r.grp.Continue(); err != nil {
		t.Fatal(err)
	}
	i0 := r.localInt("i")
	if err := r.p.ClearBreakpoint(bp.Addr); err != nil {
		t.Fatal(err)
	}
	const skipped = 20
	r.breakAt("main.work", "i == "+strconv.FormatInt(i0+skipped, 10))
	rec := &recordingText{textRW: r.session().text}
	r.session().text = rec
	r.resumes, r.stops = 0, 0
	if err := r.grp.Continue(); err != nil {
		t.Fatal(err)
	}
	if i := r.localInt("i"); i != i0+skipped {
		t.Fatalf("stopped with i = %d, want %d", i, i0+skipped)
	}
	if r.resumes != 1 || r.stops != 1 {
		t.Errorf("%d resumes and %d stops for %d hits, want 1 and 1", r.resumes, r.stops, skipped)
	}
	// Delve's own breakpoints (unrecovered panic, fatal throw) are
	// written too: each span of the plan once to arm, once to restore.
	if n, spans := len(rec.writes), len(r.session().plan.spans); n != 2*spans {
		t.Errorf("%d writes of the text for %d spans, want %d (arm, restore): %v", n, spans, 2*spans, rec.writes)
	}
	r.checkClean("at the stop")
}

// TestGuardJournalBeforeInstruction: whenever the guard writes a
// breakpoint instruction, at a resume or for a breakpoint Delve adds
// inside Continue (Step's breakpoint in the callee), the journal on disk
// already lists its address.
func TestGuardJournalBeforeInstruction(t *testing.T) {
	r := newRig(t, slowWorker...)
	line := fixtures.Line(t, "worker", "main.go", "loop-call")
	addrs, err := proc.FindFileLocation(r.p, fixtures.Dir("worker")+"/main.go", line)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.p.SetBreakpoint(int(addrs[0]), addrs[0], proc.UserBreakpoint, nil); err != nil {
		t.Fatal(err)
	}
	chk := &journalFirst{t: t, textRW: r.session().text, path: Path(r.id), instr: r.p.BinInfo().Arch.BreakpointInstruction()}
	r.session().text = chk
	if err := r.grp.Continue(); err != nil {
		t.Fatal(err)
	}
	if err := r.grp.Step(); err != nil {
		t.Fatal(err)
	}
	fn := r.p.BinInfo().PCToFunc(mustPC(t, r.p))
	if fn == nil || fn.Name != "main.work" {
		t.Fatalf("step stopped in %v, want main.work", fn)
	}
	inWork := false
	for _, a := range chk.armed {
		if f := r.p.BinInfo().PCToFunc(a); f != nil && f.Name == "main.work" {
			inWork = true
		}
	}
	if !inWork {
		t.Errorf("no instruction written in main.work inside Continue (armed %#x): the test did not see Delve add one", chk.armed)
	}
	r.checkClean("after the step")
}

// TestGuardWritesThroughDelveWhenRefused: once /proc/PID/mem refuses a
// write (EIO, as a kernel that forbids forced writes answers), the guard
// writes through Delve, and the breakpoints still work.
func TestGuardWritesThroughDelveWhenRefused(t *testing.T) {
	r := newRig(t, slowWorker...)
	m, ok := r.session().text.(*memOrDelve)
	if !ok {
		t.Fatalf("session writes through %T, want /proc/PID/mem first", r.session().text)
	}
	if err := m.Write([]byte{0xcc}, 0x10); err == nil || !m.refused { // unmapped: EIO
		t.Fatalf("write at an unmapped address: %v, refused %v", err, m.refused)
	}
	bp := r.breakAt("main.work", "")
	for i := 0; i < 2; i++ {
		if err := r.grp.Continue(); err != nil {
			t.Fatal(err)
		}
		if pc := mustPC(t, r.p); pc != bp.Addr {
			t.Fatalf("stopped at %#x, want the breakpoint at %#x", pc, bp.Addr)
		}
		r.checkClean("at a stop")
	}
}

func mustPC(t *testing.T, p *proc.Target) uint64 {
	regs, err := p.CurrentThread().Registers()
	if err != nil {
		t.Fatal(err)
	}
	return regs.PC()
}

func journalLists(j *Journal, addr uint64) bool {
	for _, e := range j.Entries {
		if e.Addr == addr {
			return true
		}
	}
	return false
}

// recordingText records the guard's writes.
type recordingText struct {
	textRW
	writes []string
}

func (r *recordingText) Write(b []byte, addr uint64) error {
	r.writes = append(r.writes, strconv.FormatUint(addr, 16)+":"+strconv.Itoa(len(b)))
	return r.textRW.Write(b, addr)
}

// journalFirst checks each write that puts a breakpoint instruction where
// the text had none against the journal file on disk.
type journalFirst struct {
	textRW
	t     *testing.T
	path  string
	instr []byte
	mu    sync.Mutex
	armed []uint64
}

func (c *journalFirst) Write(b []byte, addr uint64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := make([]byte, len(b))
	if err := c.textRW.Read(cur, addr); err != nil {
		return err
	}
	n := len(c.instr)
	for off := 0; off+n <= len(b); off++ {
		if !bytes.Equal(b[off:off+n], c.instr) || bytes.Equal(cur[off:off+n], c.instr) {
			continue
		}
		a := addr + uint64(off)
		c.armed = append(c.armed, a)
		j, err := ReadJournal(c.path)
		if err != nil || !journalLists(j, a) {
			c.t.Errorf("instruction written at %#x before the journal listed it (%v)", a, err)
		}
	}
	return c.textRW.Write(b, addr)
}

// TestGuardReplacedBreakpointBetweenContinues: a resume after the set of
// breakpoints changed at a stop (one cleared, one created: as many as
// before) journals and writes the new one, though a resume with the same
// set reuses the last one's plan and journal.
func TestGuardReplacedBreakpointBetweenContinues(t *testing.T) {
	r := newRig(t, slowWorker...)
	work := r.breakAt("main.work", "")
	for i := 0; i < 2; i++ { // the second resume takes the unchanged set's path
		if err := r.grp.Continue(); err != nil {
			t.Fatal(err)
		}
		if pc := mustPC(t, r.p); pc != work.Addr {
			t.Fatalf("continue %d stopped at %#x, want main.work at %#x", i, pc, work.Addr)
		}
	}
	if err := r.p.ClearBreakpoint(work.Addr); err != nil {
		t.Fatal(err)
	}
	line := fixtures.Line(t, "worker", "main.go", "loop-call")
	addrs, err := proc.FindFileLocation(r.p, fixtures.Dir("worker")+"/main.go", line)
	if err != nil {
		t.Fatal(err)
	}
	call, err := r.p.SetBreakpoint(int(addrs[0]), addrs[0], proc.UserBreakpoint, nil)
	if err != nil {
		t.Fatal(err)
	}
	chk := &journalFirst{t: t, textRW: r.session().text, path: Path(r.id), instr: r.p.BinInfo().Arch.BreakpointInstruction()}
	r.session().text = chk
	if err := r.grp.Continue(); err != nil {
		t.Fatal(err)
	}
	if pc := mustPC(t, r.p); pc != call.Addr {
		t.Fatalf("stopped at %#x, want the new breakpoint at %#x", pc, call.Addr)
	}
	j, err := ReadJournal(Path(r.id))
	if err != nil || !journalLists(j, call.Addr) {
		t.Errorf("journal %+v (%v) lacks the new breakpoint at %#x", j, err, call.Addr)
	}
	r.checkClean("at the new breakpoint")
}
