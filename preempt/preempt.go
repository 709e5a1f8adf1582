package preempt

import (
	"debug/elf"
	"errors"
	"fmt"
	"strings"
)

// A Hook names one kind of async-preemption point. See the package comment.
type Hook int

const (
	Entry Hook = iota + 1
	CallHook
	Park
	Resume
	ReturnHook
)

var hookNames = map[Hook]string{Entry: "entry", CallHook: "call", Park: "park", Resume: "resume", ReturnHook: "return"}

var hookDocs = map[Hook]string{
	Entry:      "first instruction of runtime.asyncPreempt; the preempted PC is still recoverable",
	CallHook:   "the call from runtime.asyncPreempt into runtime.asyncPreempt2, registers saved",
	Park:       "each call to runtime.mcall in runtime.asyncPreempt2: the goroutine leaves its stack",
	Resume:     "after each of those calls: the goroutine runs again after being rescheduled",
	ReturnHook: "after the call into runtime.asyncPreempt2, before registers are restored",
}

// Hooks returns every hook in the order a preempted goroutine passes them.
func Hooks() []Hook { return []Hook{Entry, CallHook, Park, Resume, ReturnHook} }

func (h Hook) String() string {
	if s, ok := hookNames[h]; ok {
		return s
	}
	return fmt.Sprintf("Hook(%d)", int(h))
}

// Doc returns a one-line description of the hook.
func (h Hook) Doc() string { return hookDocs[h] }

// ErrUnknownHook is returned by ParseHook for names that are not hooks.
var ErrUnknownHook = errors.New("unknown preemption hook")

// ParseHook returns the hook called name.
func ParseHook(name string) (Hook, error) {
	for _, h := range Hooks() {
		if hookNames[h] == name {
			return h, nil
		}
	}
	names := make([]string, 0, len(hookNames))
	for _, h := range Hooks() {
		names = append(names, hookNames[h])
	}
	return 0, fmt.Errorf("%w %q (known: %s)", ErrUnknownHook, name, strings.Join(names, ", "))
}

// Errors Find returns, wrapped, when a binary has no hooks to find.
var (
	ErrNoSymbols = errors.New("no ELF symbol table (built with -ldflags=-s?)")
	ErrNotGo     = errors.New("not a Go program with async preemption: runtime.asyncPreempt not found")
)

// A MissingError reports a hook whose instructions were not found.
type MissingError struct {
	Hook   Hook
	Reason string
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("preemption hook %s not found: %s", e.Hook, e.Reason)
}

// A Site is one address of a hook.
type Site struct {
	Hook   Hook
	Func   string // ELF symbol of the function holding it: "runtime.asyncPreempt.abi0"
	Entry  uint64 // link-time address of Func
	Offset uint64 // from Entry
	Inst   string // the instruction at the site
}

// Addr returns the link-time address of the site.
func (s Site) Addr() uint64 { return s.Entry + s.Offset }

// A Table holds every site of every hook of one executable.
type Table struct {
	Arch  string // GOARCH
	Sites map[Hook][]Site
}

// Function names, as in the ELF symbol table.
const (
	asyncPreempt  = "runtime.asyncPreempt"
	asyncPreempt2 = "runtime.asyncPreempt2"
	mcall         = "runtime.mcall"
	abi0Suffix    = ".abi0"
)

// Find decodes the runtime's preemption code in f and returns every hook.
func Find(f *elf.File) (*Table, error) {
	arch := GOARCH(&f.FileHeader)
	if !Decodable(arch) {
		return nil, fmt.Errorf("find preemption hooks in %s binary: %w", f.Machine, ErrUnsupportedArch)
	}
	keep := map[string]bool{}
	for _, n := range []string{asyncPreempt, asyncPreempt2, mcall} {
		keep[n], keep[n+abi0Suffix] = true, true
	}
	syms, err := newSymtab(f, keep)
	if err != nil {
		return nil, fmt.Errorf("find preemption hooks: %w", err)
	}
	t := &Table{Arch: arch, Sites: map[Hook][]Site{}}
	ap, ok := syms.lookup(asyncPreempt+abi0Suffix, asyncPreempt)
	if !ok {
		return nil, fmt.Errorf("find preemption hooks: %w", ErrNotGo)
	}
	// Without an ELF symbol table the body and its ABI0 wrapper share the
	// name; the body is the one that calls mcall (findPark).
	candidates := append(syms.all(asyncPreempt2), syms.all(asyncPreempt2+abi0Suffix)...)
	if len(candidates) == 0 {
		return nil, &MissingError{Hook: CallHook, Reason: asyncPreempt2 + " is not in the symbol table"}
	}
	apInsts, err := syms.decode(f, arch, ap)
	if err != nil {
		return nil, err
	}
	t.add(Entry, ap, apInsts[0])
	var targets []uint64
	for _, c := range candidates {
		targets = append(targets, c.Value)
	}
	calls := callsTo(apInsts, targets...)
	if len(calls) == 0 {
		return nil, &MissingError{Hook: CallHook, Reason: ap.Name + " has no call to " + asyncPreempt2}
	}
	for _, i := range calls {
		t.add(CallHook, ap, apInsts[i])
		if i+1 < len(apInsts) {
			t.add(ReturnHook, ap, apInsts[i+1])
		}
	}
	if err := t.findPark(f, syms, syms.all(asyncPreempt2)); err != nil {
		return nil, err
	}
	return t, nil
}

// findPark adds the calls to runtime.mcall in the body of asyncPreempt2,
// the one of bodies that makes them, and the resume points after them.
func (t *Table) findPark(f *elf.File, syms *symtab, bodies []elf.Symbol) error {
	mc, ok := syms.lookup(mcall, mcall+abi0Suffix)
	if !ok {
		return &MissingError{Hook: Park, Reason: mcall + " is not in the symbol table"}
	}
	for _, body := range bodies {
		insts, err := syms.decode(f, t.Arch, body)
		if err != nil {
			return err
		}
		calls := callsTo(insts, mc.Value)
		for _, i := range calls {
			t.add(Park, body, insts[i])
			if i+1 < len(insts) {
				t.add(Resume, body, insts[i+1])
			}
		}
		if len(calls) > 0 {
			return nil
		}
	}
	return &MissingError{Hook: Park, Reason: asyncPreempt2 + " has no call to " + mcall + " (inlined or changed runtime?)"}
}

func (t *Table) add(h Hook, fn elf.Symbol, in Inst) {
	t.Sites[h] = append(t.Sites[h], Site{Hook: h, Func: fn.Name, Entry: fn.Value, Offset: in.PC - fn.Value, Inst: in.Text})
}

// callsTo returns the indexes of the direct calls to any of targets.
func callsTo(insts []Inst, targets ...uint64) []int {
	var out []int
	for i, in := range insts {
		if in.Kind != Call || in.Target == 0 {
			continue
		}
		for _, t := range targets {
			if t != 0 && in.Target == t {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

// decode reads and decodes the code of sym.
func (s *symtab) decode(f *elf.File, arch string, sym elf.Symbol) ([]Inst, error) {
	code, err := Code(f, sym.Value, sym.Size)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", sym.Name, err)
	}
	insts, err := Decode(arch, code, sym.Value)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", sym.Name, err)
	}
	if len(insts) == 0 {
		return nil, fmt.Errorf("decode %s: empty function", sym.Name)
	}
	return insts, nil
}

// Code returns size bytes of f's code at link-time address addr.
func Code(f *elf.File, addr, size uint64) ([]byte, error) {
	for _, sec := range f.Sections {
		if sec.Type != elf.SHT_PROGBITS || sec.Flags&elf.SHF_EXECINSTR == 0 {
			continue
		}
		if addr < sec.Addr || addr+size > sec.Addr+sec.Size {
			continue
		}
		buf := make([]byte, size)
		if _, err := sec.ReadAt(buf, int64(addr-sec.Addr)); err != nil {
			return nil, err
		}
		return buf, nil
	}
	return nil, fmt.Errorf("no executable section holds %#x..%#x", addr, addr+size)
}
