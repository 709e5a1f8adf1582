package breakcheck

import (
	"errors"
	"fmt"
	"sync"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/preempt"
	"github.com/go-delve/delve/pkg/proc"
)

// A delveTable is Delve's BinaryInfo for an Input's executable, loaded the way
// `dlvx exec` loads it, on first use or in the background (prefetch). It
// is the dwarfcheck.FuncTable that Install gives an Input. It is the
// expensive part of the doctor: only the --break and --source questions,
// and the stripped-binary check, load it.
type delveTable struct {
	in       *dwarfcheck.Input
	done     bool
	bi       *proc.BinaryInfo
	err      error
	fetch    chan struct{} // closed when a prefetch load ends; nil without one
	borrowed bool          // bi is a debugging session's (SessionInput): never closed here
}

// NewInput returns dwarfcheck.NewInput(path) with Delve's function table
// installed (Install).
func NewInput(path string) *dwarfcheck.Input {
	in := dwarfcheck.NewInput(path)
	Install(in)
	return in
}

// SessionInput returns an Input for the executable of bi, a BinaryInfo a
// debugging session loaded, with bi itself as its function table: the
// verdicts (Breaks) read the session's tables instead of loading a copy
// of their own (about 66 MiB and 0.5 s for a 24 MB binary). The caller
// holds whatever lock the session needs for reading bi (Delve's target
// lock) while it uses the Input. Close leaves bi open.
func SessionInput(bi *proc.BinaryInfo) (*dwarfcheck.Input, error) {
	if bi == nil || len(bi.Images) == 0 {
		return nil, errors.New("the session has no binary loaded")
	}
	in := dwarfcheck.NewInput(bi.Images[0].Path)
	in.GitHead = nil // no workspace: git would be asked about the binary's directory
	in.Funcs = &delveTable{in: in, done: true, bi: bi, borrowed: true}
	return in, nil
}

// Install gives in Delve's function table, unless it has one, so that the
// binary checks and srcpath can consult it. in.Close releases it.
func Install(in *dwarfcheck.Input) {
	if in.Funcs == nil {
		in.Funcs = &delveTable{in: in}
	}
}

// delve returns Delve's BinaryInfo for in, installing the function table
// first if needed.
func delve(in *dwarfcheck.Input) (*proc.BinaryInfo, error) {
	Install(in)
	b, ok := in.Funcs.(*delveTable)
	if !ok {
		return nil, errors.New("input has a function table that is not Delve's")
	}
	return b.load()
}

// prefetch starts loading Delve's BinaryInfo in the background, so that
// the load overlaps with the fast checks; load waits for it.
func prefetch(in *dwarfcheck.Input) {
	Install(in)
	b, ok := in.Funcs.(*delveTable)
	if !ok || b.done || b.fetch != nil {
		return
	}
	in.ELF() // opened here: the Input's lazy values are not safe for concurrent use
	b.fetch = make(chan struct{})
	go func() {
		defer close(b.fetch)
		b.loadOnce()
	}()
}

func (b *delveTable) load() (*proc.BinaryInfo, error) {
	if b.fetch != nil {
		<-b.fetch
	}
	b.loadOnce()
	return b.bi, b.err
}

func (b *delveTable) loadOnce() {
	if !b.done {
		b.bi, b.err = loadDelve(b.in)
		b.done = true
	}
}

func loadDelve(in *dwarfcheck.Input) (*proc.BinaryInfo, error) {
	f, err := in.ELF()
	if err != nil {
		return nil, err
	}
	arch := preempt.GOARCH(&f.FileHeader)
	if arch == "" {
		return nil, fmt.Errorf("load %s: unsupported machine %v", in.Path, f.Machine)
	}
	bi := proc.NewBinaryInfo("linux", arch, false)
	analysisLoads.Store(bi, struct{}{})
	defer analysisLoads.Delete(bi)
	// Entry == link-time entry keeps a PIE at its static addresses.
	if err := bi.LoadBinaryInfo(in.Path, f.Entry, in.DebugInfoDirs); err != nil {
		bi.Close()
		return nil, fmt.Errorf("load %s with delve: %w", in.Path, err)
	}
	return bi, nil
}

// FindMain reports whether Delve's function table names main.main.
func (b *delveTable) FindMain() (bool, int, error) {
	bi, err := b.load()
	if err != nil {
		return false, 0, err
	}
	fns, err := bi.FindFunction("main.main")
	return err == nil && len(fns) > 0, len(bi.Functions), nil
}

// Sources returns Delve's list of the binary's source files.
func (b *delveTable) Sources() ([]string, error) {
	bi, err := b.load()
	if err != nil {
		return nil, err
	}
	return bi.Sources, nil
}

// FuncStartsIn reports a function named in names whose entry is in file.
func (b *delveTable) FuncStartsIn(file string, names map[string]bool) bool {
	bi, err := b.load()
	if err != nil {
		return false
	}
	for i := range bi.Functions {
		fn := &bi.Functions[i]
		if fn.Entry == 0 || !names[baseName(fn.Name)] {
			continue
		}
		if f, _ := bi.EntryLineForFunc(fn); f == file {
			return true
		}
	}
	return false
}

// Loaded returns the DWARF of a prefetched load, waiting for it to end,
// or of a session's.
func (b *delveTable) Loaded() (dwarfcheck.EntryReader, []string, bool) {
	if b.fetch == nil && !b.borrowed {
		return nil, nil, false
	}
	bi, err := b.load()
	if err != nil || len(bi.Images) == 0 {
		return nil, nil, false
	}
	r := bi.Images[0].DwarfReader()
	if r == nil {
		return nil, nil, false
	}
	return r, bi.Sources, true
}

// Close waits for a prefetch and closes what Delve opened.
func (b *delveTable) Close() error {
	if b.fetch != nil {
		<-b.fetch
	}
	if b.done && b.bi != nil && !b.borrowed {
		return b.bi.Close()
	}
	return nil
}

// analysisLoads holds the BinaryInfos loadDelve is loading.
var analysisLoads sync.Map // *proc.BinaryInfo → struct{}

// IsAnalysisLoad reports whether bi is being loaded by the doctor for its
// own questions, not by a debugger. Delve's "no debug info found" warning
// for such a load repeats what the doctor's BP-NODWARF says; cmd/dlvx
// keeps it quiet (proc.NoDebugInfoWarning, patch 0015).
func IsAnalysisLoad(bi *proc.BinaryInfo) bool {
	_, ok := analysisLoads.Load(bi)
	return ok
}
