package preempttrace

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"

	"github.com/cilium/ebpf/btf"
	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/launchcheck"
	"github.com/dlvx/dlvx/preempt"
	"github.com/dlvx/dlvx/resolver"
	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/proc"
	"golang.org/x/sys/unix"
)

// ringBytes is the size of the BPF ring buffer (bpf/preempt.c).
const ringBytes = 1 << 22

// A PrereqError says why eBPF tracing cannot work here, before anything is
// attached, as the launch doctor's findings.
type PrereqError struct{ Findings []finding.Finding }

func (e *PrereqError) Error() string {
	s := "eBPF tracing cannot work here:"
	for i, f := range e.Findings {
		if i > 0 {
			s += ";"
		}
		s += " " + f.ID + " " + f.Title
		if len(f.Evidence) > 0 {
			s += " (" + f.Evidence[0].Source + ": " + f.Evidence[0].Fact + ")"
		}
	}
	return s
}

// CheckEBPF returns a *PrereqError unless this host can load and attach
// the tracer: kernel BTF and uprobes, the launch doctor's capability and
// perf_event_paranoid checks, and a locked-memory limit that holds the ring
// buffer (charged to it before Linux 5.11; checked on every kernel so a
// trace that starts here starts there).
func CheckEBPF() error {
	var out []finding.Finding
	for _, p := range []string{"/sys/kernel/btf/vmlinux", "/sys/bus/event_source/devices/uprobe"} {
		if _, err := os.Stat(p); err != nil {
			out = append(out, finding.New("ENV-EBPF-KERNEL", finding.Evidencef(p, "%v", err)))
		}
	}
	for _, c := range launchcheck.HostChecks {
		if c.Name != "ebpf" {
			continue
		}
		fs, err := c.Run(&launchcheck.Host{Sys: "/sys", Proc: "/proc", EBPF: true})
		if err != nil {
			return fmt.Errorf("check eBPF prerequisites: %w", err)
		}
		for _, f := range fs {
			if f.ID != "ENV-EBPF-MEMLOCK" { // the doctor's bar is higher than the tracer's need
				out = append(out, f)
			}
		}
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &lim); err == nil && lim.Cur != unix.RLIM_INFINITY && lim.Cur < ringBytes+1<<16 {
		out = append(out, finding.New("ENV-EBPF-MEMLOCK", finding.Evidencef("getrlimit(RLIMIT_MEMLOCK)", "%d bytes locked at most; the ring buffer needs %d", lim.Cur, ringBytes+1<<16)))
	}
	if len(out) > 0 {
		return &PrereqError{Findings: out}
	}
	return nil
}

// ErrEBPFLocation is returned for locations the eBPF tracer cannot read
// the event's frame at.
var ErrEBPFLocation = errors.New("--ebpf traces preempt:entry and SYMBOL+OFFSET locations")

// probe is what the eBPF tracer needs to know of the traced program.
type probe struct {
	bi       *proc.BinaryInfo // at link-time addresses
	addr     uint64           // link-time address of the location
	fileOff  uint64           // its offset in the executable
	pcAtSP   bool
	gTLSOff  int64
	goidOff  uint64
	fsOff    int64
	elfEntry uint64
	pie      bool
}

// newProbe resolves spec in the executable at path.
func newProbe(path string, spec *resolver.Spec) (*probe, error) {
	if spec.IsHook() && spec.Hook != preempt.Entry {
		return nil, fmt.Errorf("%s: %w", spec, ErrEBPFLocation)
	}
	p := &probe{bi: proc.NewBinaryInfo("linux", "amd64", false), pcAtSP: spec.IsHook()}
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	p.pie = f.Type == elf.ET_DYN
	entry := f.Entry // a PIE at its link-time addresses
	f.Close()
	if err := p.bi.LoadBinaryInfo(path, entry, nil); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if err := p.resolve(path, spec); err != nil {
		return nil, err
	}
	if p.goidOff, err = goidOffset(p.bi); err != nil {
		return nil, err
	}
	gOff, err := p.bi.GStructOffset(nil)
	if err != nil {
		return nil, fmt.Errorf("g's TLS offset: %w", err)
	}
	p.gTLSOff = int64(gOff)
	p.fsOff, err = fsbaseOffset()
	return p, err
}

func (p *probe) resolve(path string, spec *resolver.Spec) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	p.elfEntry = f.Entry
	if spec.IsHook() {
		pcs, err := (&resolver.Resolver{}).ResolveHook(p.bi, spec.Hook)
		if err != nil {
			return err
		}
		p.addr = pcs[0]
	} else {
		fns, err := p.bi.FindFunction(spec.Symbol)
		if err != nil || len(fns) != 1 || fns[0].Entry == 0 {
			return fmt.Errorf("%s: %d functions of that name with code; --ebpf needs exactly one", spec.Symbol, len(fns))
		}
		fn := fns[0]
		code := make([]byte, fn.End-fn.Entry)
		if err := readVaddr(f, code, fn.Entry); err != nil {
			return err
		}
		if err := resolver.CheckOffset("amd64", spec.Symbol, code, fn.Entry, spec.Offset); err != nil {
			return err
		}
		p.addr = fn.Entry + spec.Offset
	}
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_LOAD && prog.Flags&elf.PF_X != 0 && p.addr >= prog.Vaddr && p.addr < prog.Vaddr+prog.Filesz {
			p.fileOff = p.addr - prog.Vaddr + prog.Off
			return nil
		}
	}
	return fmt.Errorf("%#x is in no executable segment of %s", p.addr, path)
}

func readVaddr(f *elf.File, b []byte, addr uint64) error {
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_LOAD && addr >= prog.Vaddr && addr+uint64(len(b)) <= prog.Vaddr+prog.Filesz {
			_, err := prog.ReadAt(b, int64(addr-prog.Vaddr))
			return err
		}
	}
	return fmt.Errorf("%#x is not in the file", addr)
}

// goidOffset returns the offset of runtime.g.goid, from DWARF.
func goidOffset(bi *proc.BinaryInfo) (uint64, error) {
	t, err := bi.FindType("runtime.g")
	if err != nil {
		return 0, fmt.Errorf("runtime.g: %w", err)
	}
	st, ok := godwarf.ResolveTypedef(t).(*godwarf.StructType)
	if ok {
		for _, f := range st.Field {
			if f.Name == "goid" {
				return uint64(f.ByteOffset), nil
			}
		}
	}
	return 0, errors.New("runtime.g has no goid field in DWARF")
}

// fsbaseOffset returns the offset of thread.fsbase in task_struct, from
// the kernel's BTF.
func fsbaseOffset() (int64, error) {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return 0, fmt.Errorf("kernel BTF: %w", err)
	}
	var task *btf.Struct
	if err := spec.TypeByName("task_struct", &task); err != nil {
		return 0, fmt.Errorf("kernel BTF: %w", err)
	}
	thread, tt, ok := member(task, "thread")
	if !ok {
		return 0, errors.New("kernel BTF: task_struct has no thread")
	}
	ts, ok := btf.UnderlyingType(tt).(*btf.Struct)
	if !ok {
		return 0, errors.New("kernel BTF: task_struct.thread is not a struct")
	}
	fs, _, ok := member(ts, "fsbase")
	if !ok {
		return 0, errors.New("kernel BTF: thread_struct has no fsbase")
	}
	return int64(thread+fs) / 8, nil
}

// member finds name in s, looking into anonymous structs and unions, and
// returns its offset in bits.
func member(s btf.Type, name string) (btf.Bits, btf.Type, bool) {
	var ms []btf.Member
	switch t := btf.UnderlyingType(s).(type) {
	case *btf.Struct:
		ms = t.Members
	case *btf.Union:
		ms = t.Members
	}
	for _, m := range ms {
		if m.Name == name {
			return m.Offset, m.Type, true
		}
		if m.Name == "" {
			if off, t, ok := member(m.Type, name); ok {
				return m.Offset + off, t, true
			}
		}
	}
	return 0, nil, false
}
