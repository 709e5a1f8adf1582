package resolver

import (
	"debug/elf"
	"errors"
	"fmt"
	"go/constant"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/preempt"
	"github.com/go-delve/delve/pkg/locspec"
	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/service/api"
)

// ExtensionName is the name the resolver registers with Delve's locspec.
const ExtensionName = "dlvx"

// A Resolver resolves dlvx locations in Delve targets. Its zero value is
// ready to use; it caches what it reads from each executable.
type Resolver struct {
	// Notify, if set, receives notices: findings about a resolution that
	// succeeded, a choice made for the user ("AP-CORRECT-REENABLED",
	// "BP-FUNCNAME-ABI0"; see notices.go). It may be called concurrently,
	// from the goroutine of the Delve request that resolves the location.
	Notify func(finding.Finding)

	bins sync.Map // binKey → *binEntry
	mu   sync.Mutex
	last string // noticeKey of the last notice sent
}

// Install registers r with Delve's location-spec parser.
func Install(r *Resolver) {
	locspec.RegisterExtension(ExtensionName, r.parse)
}

func (r *Resolver) parse(loc string) (locspec.ExtensionSpec, error) {
	s, err := Parse(loc)
	if s == nil || err != nil {
		return nil, err
	}
	return &delveSpec{spec: s, r: r}, nil
}

// notify sends a notice unless it repeats the last one: a location is
// resolved twice when a breakpoint is set (find, then create).
func (r *Resolver) notify(f finding.Finding) {
	if r.Notify == nil {
		return
	}
	key := noticeKey(f)
	r.mu.Lock()
	repeat := key == r.last
	r.last = key
	r.mu.Unlock()
	if !repeat {
		r.Notify(f)
	}
}

// delveSpec is a Spec as a Delve location spec.
type delveSpec struct {
	spec *Spec
	r    *Resolver
}

func (d *delveSpec) Extension() string { return ExtensionName }
func (d *delveSpec) Condition() string { return d.spec.Condition() }
func (d *delveSpec) Stacktrace() int   { return d.spec.StackDepth() }

// Find resolves the spec in t. It ignores the scope: dlvx locations do not
// depend on where the program is stopped, so they re-resolve after restart.
func (d *delveSpec) Find(t *proc.Target, _ []string, _ *proc.EvalScope, _ string, _ bool, _ [][2]string) ([]api.Location, string, error) {
	pcs, err := d.r.Resolve(t, d.spec)
	if err != nil {
		return nil, "", err
	}
	return []api.Location{{PC: pcs[0], PCs: pcs}}, "", nil
}

// Resolve returns the addresses of s in t.
func (r *Resolver) Resolve(t *proc.Target, s *Spec) ([]uint64, error) {
	if s.IsHook() {
		pcs, err := r.ResolveHook(t.BinInfo(), s.Hook)
		if err == nil {
			r.enableAsyncPreempt(t)
		}
		return pcs, err
	}
	fn, err := r.lookupFunc(t, s.Symbol)
	if err != nil {
		return nil, err
	}
	code, err := readCode(t, fn.Entry, fn.End)
	if err != nil {
		return nil, err
	}
	if err := CheckOffset(t.BinInfo().Arch.Name, s.Symbol, code, fn.Entry, s.Offset); err != nil {
		return nil, err
	}
	return []uint64{fn.Entry + s.Offset}, nil
}

// lookupFunc finds the function called name. A body and its ABI0 wrapper
// share a name in DWARF: the body is chosen unless name ends in ".abi0".
func (r *Resolver) lookupFunc(t *proc.Target, name string) (*proc.Function, error) {
	bi := t.BinInfo()
	base, wantWrapper := strings.CutSuffix(name, abi0Suffix)
	fns, err := bi.FindFunction(base)
	if err != nil {
		return nil, &UnknownSymbolError{Name: name, Closest: finding.Closest(name, funcNames(bi), 5)}
	}
	fns = slices.DeleteFunc(slices.Clone(fns), func(fn *proc.Function) bool { return fn.Entry == 0 })
	if len(fns) == 0 {
		return nil, fmt.Errorf("%s: %w", name, ErrInlined)
	}
	if len(fns) == 1 && !wantWrapper {
		return fns[0], nil
	}
	bin, err := r.binary(bi.Images[0].Path)
	if err != nil {
		return nil, err
	}
	syms, err := bin.symbols()
	if err != nil {
		return nil, err
	}
	wrapperAt, hasWrapper := syms[base+abi0Suffix]
	isWrapper := func(fn *proc.Function) bool {
		if len(syms) == 0 { // stripped: a wrapper transfers to a namesake
			return transfersTo(t, fn, fns)
		}
		return hasWrapper && fn.Entry == wrapperAt+bi.Images[0].StaticBase
	}
	var bodies, wrappers []*proc.Function
	for _, fn := range fns {
		if isWrapper(fn) {
			wrappers = append(wrappers, fn)
		} else {
			bodies = append(bodies, fn)
		}
	}
	switch {
	case wantWrapper && len(wrappers) == 1:
		return wrappers[0], nil
	case wantWrapper:
		return nil, &UnknownSymbolError{Name: name, Closest: []string{base}}
	case len(bodies) == 1:
		if len(wrappers) > 0 {
			r.notify(abi0Notice(base, bodies[0], wrappers, len(syms) > 0))
		}
		return bodies[0], nil
	}
	entries := make([]uint64, len(fns))
	for i, fn := range fns {
		entries[i] = fn.Entry
	}
	return nil, &AmbiguousError{Name: name, Entries: entries}
}

const abi0Suffix = ".abi0"

// transfersTo reports whether fn calls or jumps to the entry of another of
// fns, as an ABI wrapper does to the function it wraps.
func transfersTo(t *proc.Target, fn *proc.Function, fns []*proc.Function) bool {
	code, err := readCode(t, fn.Entry, fn.End)
	if err != nil {
		return false
	}
	insts, _ := preempt.Decode(t.BinInfo().Arch.Name, code, fn.Entry)
	for _, in := range insts {
		for _, other := range fns {
			if other != fn && in.Kind != preempt.Other && in.Target == other.Entry {
				return true
			}
		}
	}
	return false
}

func funcNames(bi *proc.BinaryInfo) []string {
	names := make([]string, 0, len(bi.Functions))
	for i := range bi.Functions {
		names = append(names, bi.Functions[i].Name)
	}
	return names
}

// readCode reads [entry, end) from t's memory with Delve's own breakpoint
// instructions replaced by the bytes they cover.
func readCode(t *proc.Target, entry, end uint64) ([]byte, error) {
	if end <= entry {
		return nil, fmt.Errorf("function at %#x has no code", entry)
	}
	code := make([]byte, end-entry)
	if _, err := t.Memory().ReadMemory(code, entry); err != nil {
		return nil, fmt.Errorf("read code at %#x: %w", entry, err)
	}
	for addr, bp := range t.Breakpoints().M {
		if addr >= entry && addr < end && len(bp.OriginalData) > 0 {
			copy(code[addr-entry:], bp.OriginalData)
		}
	}
	return code, nil
}

// A binEntry is what the resolver read from one executable file. Symbols
// and hooks are each read on first use: a hook needs no symbol map.
type binEntry struct {
	path string

	symsOnce sync.Once
	syms     map[string]uint64 // function symbol → link-time address
	symsErr  error

	hooksOnce sync.Once
	hooks     *preempt.Table
	hooksErr  error
}

type binKey struct {
	path  string
	size  int64
	mtime int64
}

var errNoBinary = errors.New("target has no executable image")

// ErrInlined is returned for a function that is inlined at every call site,
// so no instruction belongs to it alone.
var ErrInlined = errors.New("function is inlined at every call and has no code of its own; rebuild with -gcflags=all=-l or use file:line")

// binary returns the cache entry of the executable at path.
func (r *Resolver) binary(path string) (*binEntry, error) {
	if path == "" {
		return nil, errNoBinary
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read executable: %w", err)
	}
	key := binKey{path, st.Size(), st.ModTime().UnixNano()}
	e, _ := r.bins.LoadOrStore(key, &binEntry{path: path})
	return e.(*binEntry), nil
}

// symbols returns the ELF function symbols; none for a stripped binary.
func (e *binEntry) symbols() (map[string]uint64, error) {
	e.symsOnce.Do(func() {
		f, err := elf.Open(e.path)
		if err != nil {
			e.symsErr = fmt.Errorf("read executable: %w", err)
			return
		}
		defer f.Close()
		syms, err := f.Symbols()
		if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
			e.symsErr = fmt.Errorf("read symbols of %s: %w", e.path, err)
			return
		}
		e.syms = make(map[string]uint64)
		for _, s := range syms {
			if elf.ST_TYPE(s.Info) == elf.STT_FUNC {
				e.syms[s.Name] = s.Value
			}
		}
	})
	return e.syms, e.symsErr
}

// hookTable returns the preemption hooks of the executable.
func (e *binEntry) hookTable() (*preempt.Table, error) {
	e.hooksOnce.Do(func() {
		f, err := elf.Open(e.path)
		if err != nil {
			e.hooksErr = fmt.Errorf("read executable: %w", err)
			return
		}
		defer f.Close()
		e.hooks, e.hooksErr = preempt.Find(f)
	})
	return e.hooks, e.hooksErr
}

// ResolveHook returns the run-time addresses of hook h in the program bi
// describes.
func (r *Resolver) ResolveHook(bi *proc.BinaryInfo, h preempt.Hook) ([]uint64, error) {
	if len(bi.Images) == 0 {
		return nil, errNoBinary
	}
	img := bi.Images[0]
	bin, err := r.binary(img.Path)
	if err != nil {
		return nil, err
	}
	table, err := bin.hookTable()
	if err != nil {
		return nil, err
	}
	var pcs []uint64
	for _, s := range table.Sites[h] {
		pc := s.Addr() + img.StaticBase
		if bi.PCToFunc(pc) == nil {
			return nil, fmt.Errorf("preemption hook %s: %#x (%s+%#x) is in no function the debugger knows", h, pc, s.Func, s.Offset)
		}
		pcs = append(pcs, pc)
	}
	if len(pcs) == 0 {
		return nil, &preempt.MissingError{Hook: h, Reason: "no site"}
	}
	return pcs, nil
}

const asyncPreemptOffVar = "runtime.debug.asyncpreemptoff"

// enableAsyncPreempt sets runtime.debug.asyncpreemptoff to 0 if it is not:
// hooks never fire without async preemption. Delve sets it on linux/arm64.
func (r *Resolver) enableAsyncPreempt(t *proc.Target) {
	scope, err := proc.ThreadScope(t, t.CurrentThread())
	if err != nil {
		r.notify(unreadableNotice(fmt.Sprintf("no scope to read it in: %v", err)))
		return
	}
	v, err := scope.EvalExpression(asyncPreemptOffVar, proc.LoadConfig{})
	switch {
	case err != nil:
		r.notify(unreadableNotice(err.Error()))
		return
	case v.Unreadable != nil:
		r.notify(unreadableNotice(v.Unreadable.Error()))
		return
	case v.Value == nil:
		r.notify(unreadableNotice("no value"))
		return
	}
	off, _ := constant.Int64Val(v.Value)
	if off == 0 {
		// Before the runtime starts, GODEBUG can still turn it off.
		if env, err := targetEnviron(t.Pid()); err == nil {
			if godebug, off := asyncPreemptOffInEnv(env); off {
				r.notify(godebugNotice(t.Pid(), godebug))
			}
		}
		return
	}
	if err := scope.SetVariable(asyncPreemptOffVar, "0"); err != nil {
		r.notify(stillOffNotice(off, err))
		return
	}
	r.notify(reenabledNotice(t.BinInfo().Arch.Name, off))
}
