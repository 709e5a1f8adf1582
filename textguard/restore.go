package textguard

import (
	"bytes"
	"fmt"
	"os"
)

// A RestoreResult says what a restore found at each journal entry.
type RestoreResult struct {
	Restored []Entry // held the instruction, now hold the original bytes
	Clean    int     // held the original bytes already
	Foreign  []Entry // held neither: left alone
}

// Mem is a process's memory opened through /proc/PID/mem, for the
// identity it was opened for.
type Mem struct {
	f  *os.File
	id Identity
}

// OpenMem opens the memory of the process id and checks, after opening,
// that the PID still names that process: a file opened while the process
// lived refers to it for good, so a reused PID is never written to.
func OpenMem(id Identity) (*Mem, error) {
	f, err := os.OpenFile(fmt.Sprintf("/proc/%d/mem", id.PID), os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("open memory of %v: %w", id, err)
	}
	if err := id.Check(); err != nil {
		f.Close()
		return nil, err
	}
	return &Mem{f: f, id: id}, nil
}

// Close closes the memory file.
func (m *Mem) Close() error { return m.f.Close() }

// Read reads len(b) bytes at addr.
func (m *Mem) Read(b []byte, addr uint64) error {
	if _, err := m.f.ReadAt(b, int64(addr)); err != nil {
		return fmt.Errorf("read %v at %#x: %w", m.id, addr, err)
	}
	return nil
}

// Write writes b at addr, read-only text included (as ptrace does).
func (m *Mem) Write(b []byte, addr uint64) error {
	if _, err := m.f.WriteAt(b, int64(addr)); err != nil {
		return fmt.Errorf("write %v at %#x: %w", m.id, addr, err)
	}
	return nil
}

// Restore puts the original bytes back at every entry that holds its
// breakpoint instruction. Entries holding anything else are reported and
// left alone: the text is not what the journal describes.
func (m *Mem) Restore(entries []Entry) (RestoreResult, error) {
	var res RestoreResult
	for _, e := range entries {
		cur := make([]byte, len(e.Original))
		if err := m.Read(cur, e.Addr); err != nil {
			return res, err
		}
		switch {
		case bytes.Equal(cur, e.Original):
			res.Clean++
		case bytes.Equal(cur, e.Instr):
			if err := m.Write(e.Original, e.Addr); err != nil {
				return res, err
			}
			res.Restored = append(res.Restored, e)
		default:
			res.Foreign = append(res.Foreign, e)
		}
	}
	return res, nil
}

// RestoreJournal restores every entry of j in its process, refusing a
// process whose identity changed.
func RestoreJournal(j *Journal) (RestoreResult, error) {
	m, err := OpenMem(j.Target)
	if err != nil {
		return RestoreResult{}, err
	}
	defer m.Close()
	return m.Restore(j.Entries)
}
