package textguard

import (
	"bytes"
	"fmt"
	"os"
)

// A journalFile is one session's journal on disk. It lists every address
// that may hold an instruction: written whole at the first resume, then
// appended to with one write per new entry, before the instruction is
// written, so that a debugger killed at any moment leaves a journal that
// lists every instruction it wrote. Entries no longer armed stay listed (a
// restore skips an address that holds its original bytes) until a resume
// finds more of them than live ones and rewrites the file.
type journalFile struct {
	path   string
	header Journal // Target, Exe, Debugger; no entries
	f      *os.File
	listed map[uint64]bool // addresses in the file
}

// compactAt is how many listed addresses beyond twice the live ones make
// cover rewrite the journal.
const compactAt = 64

// exists reports whether the file was written.
func (jf *journalFile) exists() bool { return jf != nil && jf.f != nil }

// cover makes the journal list every entry of live: it appends the missing
// ones, or writes the file anew when it does not exist yet or lists too
// many stale addresses. Called while the process is stopped with its text
// clean, so dropping stale addresses loses nothing.
func (jf *journalFile) cover(live []Entry) error {
	if jf == nil {
		return nil
	}
	if jf.f == nil || len(jf.listed) > 2*len(live)+compactAt {
		return jf.rewrite(live)
	}
	var missing []Entry
	for _, e := range live {
		if !jf.listed[e.Addr] {
			missing = append(missing, e)
		}
	}
	return jf.add(missing...)
}

// add appends entries with a single write.
func (jf *journalFile) add(entries ...Entry) error {
	if jf == nil || len(entries) == 0 {
		return nil
	}
	if jf.f == nil {
		return jf.rewrite(entries)
	}
	var b bytes.Buffer
	for _, e := range entries {
		appendEntry(&b, e)
	}
	if _, err := jf.f.Write(b.Bytes()); err != nil {
		return fmt.Errorf("append to journal %s: %w", jf.path, err)
	}
	for _, e := range entries {
		jf.listed[e.Addr] = true
	}
	return nil
}

func (jf *journalFile) rewrite(entries []Entry) error {
	j := jf.header
	j.Entries = entries
	f, err := j.create(jf.path)
	if err != nil {
		return err
	}
	jf.close()
	jf.f = f
	jf.listed = make(map[uint64]bool, len(entries))
	for _, e := range entries {
		jf.listed[e.Addr] = true
	}
	return nil
}

func (jf *journalFile) close() {
	if jf != nil && jf.f != nil {
		jf.f.Close()
		jf.f = nil
	}
}

// remove closes and deletes the file.
func (jf *journalFile) remove() {
	if jf.exists() {
		jf.close()
		os.Remove(jf.path)
	}
}
