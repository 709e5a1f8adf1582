package textguard

import (
	"bufio"
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// ErrFileMismatch reports a text mapping whose file no longer holds the
// bytes that were mapped: differences other than breakpoint instructions.
var ErrFileMismatch = errors.New("the file on disk no longer matches the mapping")

// maxForeignBytes is how many differing bytes that are not breakpoint
// instructions make a mapping's file a mismatch rather than a few patched
// bytes.
const maxForeignBytes = 0

// A Leftover is a breakpoint instruction in a process's text where the
// executable has other bytes.
type Leftover struct {
	Addr     uint64 // in the process
	Static   uint64 // the address in the file's own layout (before PIE relocation)
	File     string // the mapped file, as /proc/PID/maps names it
	Original []byte // the file's bytes there
	Instr    []byte // the breakpoint instruction found
	Func     string // enclosing function, "" when unknown
	Line     string // "file.go:42", "" when unknown
}

// A Mapping is one executable, file-backed mapping of a process.
type Mapping struct {
	Start, End, Offset uint64
	Dev                string
	Inode              uint64
	Path               string
}

// TextScan is the comparison of a process's text with its files.
type TextScan struct {
	Leftovers []Leftover
	Mismatch  []string // mappings whose file differs in other ways (ErrFileMismatch)
	Skipped   []string // mappings that could not be read, with why
}

// ScanText compares every executable file-backed mapping of pid with the
// bytes of its file (through /proc/PID/map_files, which opens the mapped
// file even when it was deleted or replaced, else the path as the process
// sees it) and returns every breakpoint instruction found where the file
// has other bytes. It only reads /proc: the process keeps running.
func ScanText(pid int) (*TextScan, error) {
	maps, err := TextMappings(pid)
	if err != nil {
		return nil, err
	}
	mem, err := os.Open(fmt.Sprintf("/proc/%d/mem", pid))
	if err != nil {
		return nil, fmt.Errorf("scan text of pid %d: %w", pid, err)
	}
	defer mem.Close()
	scan := &TextScan{}
	for _, m := range maps {
		if err := scanMapping(pid, mem, m, scan); err != nil {
			if errors.Is(err, ErrFileMismatch) {
				scan.Mismatch = append(scan.Mismatch, m.Path)
				continue
			}
			scan.Skipped = append(scan.Skipped, fmt.Sprintf("%s: %v", m.Path, err))
		}
	}
	return scan, nil
}

// TextMappings returns the executable, file-backed mappings of pid.
func TextMappings(pid int) ([]Mapping, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return nil, fmt.Errorf("read mappings of pid %d: %w", pid, err)
	}
	defer f.Close()
	var out []Mapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 00400000-004d2000 r-xp 00000000 08:01 1234   /path/to/exe
		fl := strings.Fields(sc.Text())
		if len(fl) < 6 || !strings.Contains(fl[1], "x") || !strings.HasPrefix(fl[5], "/") {
			continue
		}
		var m Mapping
		start, end, _ := strings.Cut(fl[0], "-")
		m.Start, _ = strconv.ParseUint(start, 16, 64)
		m.End, _ = strconv.ParseUint(end, 16, 64)
		m.Offset, _ = strconv.ParseUint(fl[2], 16, 64)
		m.Dev = fl[3]
		m.Inode, _ = strconv.ParseUint(fl[4], 10, 64)
		m.Path = strings.Join(fl[5:], " ")
		if m.Inode != 0 && m.End > m.Start {
			out = append(out, m)
		}
	}
	return out, sc.Err()
}

// openMapped opens the file behind m: map_files first, then the path in
// the process's mount namespace if its inode is still the mapped one.
func openMapped(pid int, m Mapping) (*os.File, error) {
	if f, err := os.Open(fmt.Sprintf("/proc/%d/map_files/%x-%x", pid, m.Start, m.End)); err == nil {
		return f, nil
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/root%s", pid, strings.TrimSuffix(m.Path, " (deleted)")))
	if err != nil {
		return nil, err
	}
	if ino, ok := inodeOf(f); !ok || ino != m.Inode {
		f.Close()
		return nil, fmt.Errorf("%w: %s was replaced since it was mapped", ErrFileMismatch, m.Path)
	}
	return f, nil
}

func scanMapping(pid int, mem io.ReaderAt, m Mapping, scan *TextScan) error {
	f, err := openMapped(pid, m)
	if err != nil {
		return err
	}
	defer f.Close()
	ef, _ := elf.NewFile(f) // nil for a file that is not ELF
	instr := breakpointInstr(ef)
	if instr == nil {
		return errors.New("no known breakpoint instruction for its architecture")
	}
	want := make([]byte, m.End-m.Start)
	n, err := f.ReadAt(want, int64(m.Offset))
	if err != nil && err != io.EOF {
		return err
	}
	want = want[:n] // the last page may extend past the file
	got := make([]byte, len(want))
	if _, err := mem.ReadAt(got, int64(m.Start)); err != nil {
		return fmt.Errorf("read memory: %w", err)
	}
	var found []Leftover
	foreign := 0
	for i := 0; i < len(want); i++ {
		if got[i] == want[i] {
			continue
		}
		if k := i - i%len(instr); k+len(instr) <= len(got) && bytes.Equal(got[k:k+len(instr)], instr) {
			found = append(found, Leftover{
				Addr: m.Start + uint64(k), File: m.Path,
				Original: bytes.Clone(want[k : k+len(instr)]), Instr: instr,
			})
			i = k + len(instr) - 1
			continue
		}
		foreign++
	}
	if foreign > maxForeignBytes {
		return fmt.Errorf("%w: %d bytes differ that are no breakpoint instruction", ErrFileMismatch, foreign)
	}
	if ef != nil {
		symbolize(ef, m, found)
	}
	scan.Leftovers = append(scan.Leftovers, found...)
	return nil
}

// breakpointInstr returns the breakpoint instruction debuggers write for
// the file's architecture (Delve's and GDB's are the same on these).
func breakpointInstr(ef *elf.File) []byte {
	if ef == nil {
		return nil
	}
	switch ef.Machine {
	case elf.EM_X86_64, elf.EM_386:
		return []byte{0xcc} // int3
	case elf.EM_AARCH64:
		return []byte{0x00, 0x00, 0x20, 0xd4} // brk #0
	case elf.EM_PPC64:
		return []byte{0x08, 0x00, 0xe0, 0x7f} // tw 31,0,0 (trap)
	case elf.EM_RISCV:
		return []byte{0x73, 0x00, 0x10, 0x00} // ebreak
	case elf.EM_LOONGARCH:
		return []byte{0x00, 0x00, 0x2a, 0x00} // break 0
	}
	return nil
}
