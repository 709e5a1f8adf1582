package breakcheck

import (
	"debug/elf"
	"errors"
	"fmt"

	"github.com/go-delve/delve/pkg/proc"
)

// fileProcess is a proc.Process over an executable file, not a running
// process: memory reads come from the file's PT_LOAD segments. It lets the
// doctor call Delve's own FindFileLocation and FindFunctionLocation, which
// need a Process only to disassemble prologues, so verdicts match what a
// debugging session computes. Addresses are link-time addresses (a PIE is
// loaded with its static base at 0).
type fileProcess struct {
	bi    *proc.BinaryInfo
	entry uint64
	mem   *fileMemory
	bps   proc.BreakpointMap
}

func newFileProcess(bi *proc.BinaryInfo, f *elf.File) *fileProcess {
	var base uint64
	if len(bi.Images) > 0 {
		base = bi.Images[0].StaticBase // a running PIE's load address; 0 for the doctor's loads
	}
	return &fileProcess{bi: bi, entry: f.Entry + base, mem: &fileMemory{f: f, base: base}, bps: proc.NewBreakpointMap()}
}

func (p *fileProcess) BinInfo() *proc.BinaryInfo          { return p.bi }
func (p *fileProcess) EntryPoint() (uint64, error)        { return p.entry, nil }
func (p *fileProcess) FindThread(int) (proc.Thread, bool) { return nil, false }
func (p *fileProcess) ThreadList() []proc.Thread          { return nil }
func (p *fileProcess) Breakpoints() *proc.BreakpointMap   { return &p.bps }
func (p *fileProcess) Memory() proc.MemoryReadWriter      { return p.mem }

// errReadOnly is returned by writes to a file's memory.
var errReadOnly = errors.New("executable file memory is read-only")

type fileMemory struct {
	f    *elf.File
	base uint64 // subtracted from addresses: they are relocated by it
}

// ReadMemory reads from the loadable segment that contains addr.
func (m *fileMemory) ReadMemory(buf []byte, addr uint64) (int, error) {
	addr -= m.base
	for _, p := range m.f.Progs {
		if p.Type != elf.PT_LOAD || addr < p.Vaddr || addr >= p.Vaddr+p.Filesz {
			continue
		}
		n := len(buf)
		if rest := p.Vaddr + p.Filesz - addr; uint64(n) > rest {
			n = int(rest)
		}
		got, err := p.ReadAt(buf[:n], int64(addr-p.Vaddr))
		if err != nil {
			return got, fmt.Errorf("read %#x: %w", addr, err)
		}
		return got, nil
	}
	return 0, fmt.Errorf("address %#x is not in a loadable segment", addr)
}

// WriteMemory always fails.
func (m *fileMemory) WriteMemory(uint64, []byte) (int, error) { return 0, errReadOnly }
