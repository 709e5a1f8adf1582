package corecheck

import (
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/dlvx/dlvx/dwarfcheck"
	"github.com/dlvx/dlvx/finding"
)

// An Input is what the core checks read: a core file and the executable,
// opened lazily. An Input is not safe for concurrent use.
type Input struct {
	CorePath string
	ExePath  string // BINARY as given; "" to use the one the core names
	// DebugInfoDirs are searched for separate debug files; nil means
	// dwarfcheck.DefaultDebugInfoDirs.
	DebugInfoDirs []string

	core    *Core
	closer  io.Closer
	exe     string // the executable the checks use, once resolved
	exeFrom string // where exe came from: "argument" or "core"
	bin     *exeFile
	// Binary is the executable's view for the binary checks, set by
	// Doctor; the goroutine check reads its DWARF and build information.
	Binary *dwarfcheck.Input
}

// Close releases the core file.
func (in *Input) Close() error {
	var errs []error
	if in.closer != nil {
		errs = append(errs, in.closer.Close())
	}
	if in.bin != nil {
		errs = append(errs, in.bin.f.Close())
	}
	if in.Binary != nil {
		errs = append(errs, in.Binary.Close())
	}
	return errors.Join(errs...)
}

// Exe returns the executable the checks resolved, or "".
func (in *Input) Exe() string { return in.exe }

// A Check is a check of a core file.
type Check = finding.Check[*Input]

// The core checks, in causal order.
var (
	Format   = &Check{Name: "core-format", Doc: "is the file a plain ELF core of a machine Delve reads\n\nNames compressed cores, empty files, executables passed as the core, and foreign machines.", Run: checkFormat}
	Complete = &Check{Name: "core-complete", Doc: "does every segment's contents lie inside the file\n\nA truncated core loses the memory past its end.", Requires: []*Check{Format}, Run: checkComplete}
	Notes    = &Check{Name: "core-notes", Doc: "are the notes readable and do they hold threads\n\nDelve starts from NT_PRSTATUS and stops at the first bad note.", Requires: []*Check{Format}, Run: checkNotes}
	Exe      = &Check{Name: "core-exe", Doc: "which executable produced the core\n\nFrom NT_FILE and NT_PRPSINFO; used when no BINARY is given.", Requires: []*Check{Format}, Run: checkExe}
	Match    = &Check{Name: "core-match", Doc: "is BINARY the build that produced the core\n\nCompares the build IDs in the core's copy of the executable's first page with BINARY's.", Requires: []*Check{Exe}, Run: checkMatch}
	Gs       = &Check{Name: "core-goroutines", Doc: "can Delve find the goroutines\n\nNeeds DWARF, and runtime.allgs in the core's memory.", Requires: []*Check{Match}, Run: checkGoroutines}
)

// CoreChecks are the checks Doctor runs on a core, in order.
var CoreChecks = []*Check{Format, Complete, Notes, Exe, Match, Gs}

// delveMachines are the core machines Delve v1.27 reads (linux_core.go).
var delveMachines = map[elf.Machine]string{
	elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64", elf.EM_RISCV: "riscv64", elf.EM_LOONGARCH: "loong64",
}

func checkFormat(in *Input) ([]finding.Finding, error) {
	src := in.CorePath
	c, closer, err := Open(in.CorePath)
	var ce *CompressedError
	var nc *NotCoreError
	var fe *FormatError
	switch {
	case err == nil:
		in.core, in.closer = c, closer
	case errors.Is(err, ErrEmpty):
		return []finding.Finding{finding.New("ENV-CORE-EMPTY", finding.EvidenceAt(src, 0, "0 bytes"))}, finding.ErrNotApplicable
	case errors.As(err, &ce):
		f := finding.New("ENV-CORE-COMPRESSED", finding.EvidenceAt(src, 0, "starts with the %s magic", ce.Format))
		plain := plainName(ce.Format, in.CorePath)
		f.Fixes = []finding.Fix{
			{Summary: "decompress it, then open the plain core", Command: DecompressCommand(ce.Format, in.CorePath, plain)},
			{Summary: "or, for a core systemd-coredump stored, let coredumpctl write the plain file", Command: []string{"coredumpctl", "dump", "PID", "-o", plain}},
		}
		return []finding.Finding{f}, finding.ErrNotApplicable
	case errors.Is(err, ErrNotELF):
		return []finding.Finding{finding.New("ENV-CORE-NOTELF", finding.EvidenceAt(src, 0, "first bytes %s: neither ELF nor a known compression", magicHex(in.CorePath)))}, finding.ErrNotApplicable
	case errors.As(err, &nc):
		f := finding.New("ENV-CORE-NOTCORE", finding.EvidenceAt(src, 0x10, "e_type %v", nc.Type))
		if nc.Type == elf.ET_EXEC || nc.Type == elf.ET_DYN {
			f.Fixes = []finding.Fix{{Summary: "pass the executable first and the core second", Command: []string{"dlvx", "core", in.CorePath, "CORE"}}}
		}
		return []finding.Finding{f}, finding.ErrNotApplicable
	case errors.Is(err, ErrTruncated) && errors.As(err, &fe):
		return []finding.Finding{truncatedHeaders(src, fe)}, finding.ErrNotApplicable
	default:
		return nil, err
	}
	if _, ok := delveMachines[c.Machine]; !ok || c.Class != elf.ELFCLASS64 {
		if c.Delve == nil {
			return []finding.Finding{finding.New("ENV-CORE-ARCH", finding.EvidenceAt(src, 0x12, "e_machine %v, %v", c.Machine, c.Class))}, finding.ErrNotApplicable
		}
	}
	return []finding.Finding{summary(src, c)}, nil
}

// magicHex returns the first bytes of a file in hex, for evidence.
func magicHex(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unreadable"
	}
	defer f.Close()
	b := make([]byte, 8)
	n, _ := io.ReadFull(f, b)
	return fmt.Sprintf("% x", b[:n])
}

func truncatedHeaders(src string, fe *FormatError) finding.Finding {
	f := finding.New("ENV-CORE-TRUNCATED", finding.EvidenceAt(src, fe.Off, "%s: %v", fe.What, fe.Err))
	if st, err := os.Stat(src); err == nil {
		f.Evidence = append(f.Evidence, finding.Evidencef(src, "the file ends at %d bytes, inside its own headers", st.Size()))
	}
	f.Fixes = []finding.Fix{{Summary: "copy the core again, completely, or take a new one with the limits fixed (dlvx doctor --pid PID --core-setup)"}}
	return f
}

// summary is the info finding that says what the core is of.
func summary(src string, c *Core) finding.Finding {
	f := finding.New("ENV-CORE-SUMMARY", finding.EvidenceAt(src, 0x12, "ELF core, %v, %d bytes, %d PT_LOAD segments", c.Machine, c.Size, len(c.Loads)))
	if p := c.Proc; p != nil {
		f.Evidence = append(f.Evidence, finding.EvidenceAt(src, p.Off, "NT_PRPSINFO: pid %d, uid %d, command %q", p.PID, p.UID, p.Args))
	}
	if d := c.Delve; d != nil {
		f.Evidence = append(f.Evidence, finding.Evidencef(src, "written by Delve %s's dump: %s/%s, pid %d", d.Version, d.GOOS, d.GOARCH, d.PID))
	}
	gcore := slices.ContainsFunc(c.NoteList, func(n Note) bool { return n.Name == "GDB" })
	if gcore {
		f.Evidence = append(f.Evidence, finding.Evidencef(src, "written by gdb (gcore): a GDB note; a snapshot of a live process, not a crash"))
	}
	if s := c.Signal; s != nil {
		verb := "ended by"
		if gcore {
			verb = "stopped with"
		}
		f.Evidence = append(f.Evidence, finding.Evidencef(src, "NT_SIGINFO: %s signal %d (%s), code %d, address %#x", verb, s.Signo, signalName(s.Signo), s.Code, s.Addr))
	}
	f.Evidence = append(f.Evidence, finding.Evidencef(src, "%d threads: Delve's threads command lists them", len(c.Threads)))
	return f
}

// signalName names the signals a crash ends with.
func signalName(n int) string {
	names := map[int]string{4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV", 3: "SIGQUIT", 19: "SIGSTOP", 31: "SIGSYS"}
	if s, ok := names[n]; ok {
		return s
	}
	return fmt.Sprintf("signal %d", n)
}

func checkComplete(in *Input) ([]finding.Finding, error) {
	c := in.core
	var need, lostMem uint64
	var lost, partial int
	var firstCut *Segment
	for i, s := range c.Loads {
		if s.FileSize == 0 {
			continue
		}
		need = max(need, s.End())
		if s.End() <= uint64(c.Size) {
			continue
		}
		if firstCut == nil {
			firstCut = &c.Loads[i]
		}
		if s.Off >= uint64(c.Size) {
			lost++
			lostMem += s.FileSize
		} else {
			partial++
			lostMem += s.End() - uint64(c.Size)
		}
	}
	for _, s := range c.Notes {
		need = max(need, s.End())
	}
	if need <= uint64(c.Size) && !c.NotesCut {
		return nil, nil
	}
	src := in.CorePath
	f := finding.New("ENV-CORE-TRUNCATED", finding.Evidencef(src, "truncated at %d of %d bytes (%.1f%%)", c.Size, need, 100*float64(c.Size)/float64(need)))
	if s := firstCut; s != nil {
		f.Evidence = append(f.Evidence,
			finding.EvidenceAt(src, s.HdrOff, "segment %d (memory %#x-%#x) has its contents at %#x-%#x, past the end", s.Index, s.Vaddr, s.Vaddr+s.MemSize, s.Off, s.End()),
			finding.Evidencef(src, "%d segments lost, %d cut: %s of memory missing", lost, partial, mib(lostMem)))
	}
	if c.NotesCut {
		f.Evidence = append(f.Evidence, finding.EvidenceAt(src, int64(c.Notes[0].Off), "the notes segment runs past the end: threads and mappings are lost"))
	}
	f.Fixes = []finding.Fix{
		{Summary: "copy the core again, completely, and compare its size with the original"},
		{Summary: "or take the next one with no size limit: check the process with dlvx doctor --pid PID --core-setup", Command: []string{"prlimit", "--pid", "PID", "--core=unlimited:unlimited"}},
	}
	return []finding.Finding{f}, nil
}

func mib(n uint64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

func checkNotes(in *Input) ([]finding.Finding, error) {
	c, src := in.core, in.CorePath
	if len(c.Notes) == 0 {
		return []finding.Finding{finding.New("ENV-CORE-NONOTES", finding.EvidenceAt(src, c.PhOff, "%d program headers, none of type PT_NOTE", len(c.Loads)))}, nil
	}
	var out []finding.Finding
	for _, e := range c.NoteErrs {
		if errors.Is(e, ErrTruncated) && c.NotesCut {
			continue // the end of the file, reported by core-complete
		}
		out = append(out, finding.New("ENV-CORE-BADNOTE", finding.EvidenceAt(src, e.Off, "%s: %v", e.What, e.Err)))
	}
	if len(c.Threads) == 0 {
		var kinds []string
		for _, n := range c.NoteList {
			kinds = append(kinds, noteName(n))
		}
		f := finding.New("ENV-CORE-NOTHREADS", finding.EvidenceAt(src, int64(c.Notes[0].Off), "%d notes, no NT_PRSTATUS", len(c.NoteList)))
		if len(kinds) > 0 {
			f.Evidence = append(f.Evidence, finding.Evidencef(src, "notes found: %s", finding.ListSome(kinds, 5)))
		}
		out = append(out, f)
	}
	return out, nil
}

// argv0 returns the first word of NT_PRPSINFO's command line.
func argv0(p *PsInfo) string {
	if p == nil {
		return ""
	}
	if f := strings.Fields(p.Args); len(f) > 0 {
		return f[0]
	}
	return p.Fname
}
