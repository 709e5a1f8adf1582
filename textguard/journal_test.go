package textguard

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func testJournal() *Journal {
	return &Journal{
		Target:   Identity{PID: 4242, Start: 987654},
		Exe:      "/srv/my app/bin (v2)/server",
		Debugger: 77,
		Entries: []Entry{
			{Addr: 0x401000, Original: []byte{0x48}, Instr: []byte{0xcc}},
			{Addr: 0x4a2f3c, Original: []byte{0xfd, 0x7b, 0xbf, 0xa9}, Instr: []byte{0x00, 0x00, 0x20, 0xd4}},
		},
	}
}

func TestJournalRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dlvx", "4242-987654.journal")
	want := testJournal()
	if err := want.Write(path); err != nil {
		t.Fatal(err)
	}
	got, err := ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back %+v, want %+v", got, want)
	}
	if _, err := os.Stat(path + ".tmp"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file left: %v", err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v (%v), want 0600: it names another process's memory", fi.Mode(), err)
	}
}

// TestJournalAppends checks what a reader sees of a journal appended to:
// every whole line, the last entry of an address listed twice, and not a
// last line cut short (its instruction was never written).
func TestJournalAppends(t *testing.T) {
	header := journalMagic + "\npid 10\nstart 20\ndebugger 30\nexe /bin/x\n"
	data := header +
		"bp 0x1000 55 cc\n" +
		"bp 0x2000 48 cc\n" +
		"bp 0x1000 56 cc\n" + // listed again: the last wins
		"bp 0x3000 4" // cut short
	j, err := parseJournal([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Addr: 0x1000, Original: []byte{0x56}, Instr: []byte{0xcc}},
		{Addr: 0x2000, Original: []byte{0x48}, Instr: []byte{0xcc}},
	}
	if !reflect.DeepEqual(j.Entries, want) {
		t.Errorf("entries %+v, want %+v", j.Entries, want)
	}
}

// TestJournalDamaged feeds damaged journals to the parser: each is a
// clear ErrMalformedJournal, never a panic or a half-read journal.
func TestJournalDamaged(t *testing.T) {
	header := journalMagic + "\npid 10\nstart 20\ndebugger 30\nexe /bin/x\n"
	for name, data := range map[string]string{
		"empty":                "",
		"other file":           "#!/bin/sh\necho hi\n",
		"newer version":        "dlvx-breakpoint-journal 2\npid 10\n",
		"magic only":           journalMagic + "\n",
		"no pid":               journalMagic + "\nstart 20\nbp 0x10 55 cc\n",
		"negative pid":         journalMagic + "\npid -4\nstart 20\n",
		"pid not a number":     journalMagic + "\npid ten\nstart 20\n",
		"start not a number":   journalMagic + "\npid 10\nstart 2O\n",
		"unknown key":          header + "bq 0x10 55 cc\n",
		"address not hex":      header + "bp 0xZZ 55 cc\n",
		"original not hex":     header + "bp 0x10 5g cc\n",
		"odd hex":              header + "bp 0x10 555 cc\n",
		"lengths differ":       header + "bp 0x10 5548 cc\n",
		"no bytes":             header + "bp 0x10\n",
		"too many fields":      header + "bp 0x10 55 cc dd\n",
		"address overflows":    header + "bp 0x1ffffffffffffffff 55 cc\n",
		"binary garbage":       header + "\x00\xff\xfe bp\n",
		"a line of a megabyte": header + "bp 0x10 " + strings.Repeat("55", 1<<19) + " cc\n",
	} {
		t.Run(name, func(t *testing.T) {
			j, err := parseJournal([]byte(data))
			if !errors.Is(err, ErrMalformedJournal) {
				t.Errorf("parse = %+v, %v; want ErrMalformedJournal", j, err)
			}
		})
	}
}

func TestReadJournalErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadJournal(filepath.Join(dir, "none.journal")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing journal: %v, want ErrNotExist", err)
	}
	bad := filepath.Join(dir, "bad.journal")
	if err := os.WriteFile(bad, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadJournal(bad)
	if !errors.Is(err, ErrMalformedJournal) || !strings.Contains(err.Error(), bad) {
		t.Errorf("damaged journal: %v, want ErrMalformedJournal naming the file", err)
	}
}

// FuzzParseJournal: whatever the bytes, the parser returns a journal or
// an error, and never panics.
func FuzzParseJournal(f *testing.F) {
	f.Add([]byte(journalMagic + "\npid 10\nstart 20\ndebugger 30\nexe /bin/x\nbp 0x1000 55 cc\n"))
	f.Add([]byte(journalMagic + "\npid 10\nbp 0x10 \n"))
	f.Add([]byte("\n\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := parseJournal(data)
		if err == nil && j.Target.PID <= 0 {
			t.Errorf("accepted a journal without a pid: %+v", j)
		}
		if err != nil && !errors.Is(err, ErrMalformedJournal) {
			t.Errorf("error %v is no ErrMalformedJournal", err)
		}
	})
}

// TestJournalFileCover checks the session's journal on disk: written whole
// at the first cover, appended to for new entries, rewritten without the
// stale addresses once they outnumber the live ones, removed at the end.
func TestJournalFileCover(t *testing.T) {
	path := filepath.Join(t.TempDir(), "1-2.journal")
	jf := &journalFile{path: path, header: Journal{Target: Identity{PID: 1, Start: 2}, Debugger: 3}}
	e := func(addr uint64) Entry { return Entry{Addr: addr, Original: []byte{0x90}, Instr: []byte{0xcc}} }
	read := func() []uint64 {
		t.Helper()
		j, err := ReadJournal(path)
		if err != nil {
			t.Fatal(err)
		}
		var addrs []uint64
		for _, e := range j.Entries {
			addrs = append(addrs, e.Addr)
		}
		return addrs
	}
	if err := jf.cover([]Entry{e(0x10), e(0x20)}); err != nil {
		t.Fatal(err)
	}
	if got := read(); !reflect.DeepEqual(got, []uint64{0x10, 0x20}) {
		t.Errorf("after the first cover: %#x", got)
	}
	if err := jf.add(e(0x30)); err != nil {
		t.Fatal(err)
	}
	if err := jf.cover([]Entry{e(0x20), e(0x40)}); err != nil {
		t.Fatal(err)
	}
	if got := read(); !reflect.DeepEqual(got, []uint64{0x10, 0x20, 0x30, 0x40}) {
		t.Errorf("after appends: %#x, want the stale 0x10 and 0x30 kept", got)
	}
	var many []Entry
	for a := uint64(0x1000); a < 0x1000+2*compactAt; a++ {
		many = append(many, e(a))
	}
	if err := jf.cover(many); err != nil {
		t.Fatal(err)
	}
	if err := jf.cover([]Entry{e(0x50)}); err != nil {
		t.Fatal(err)
	}
	if got := read(); !reflect.DeepEqual(got, []uint64{0x50}) {
		t.Errorf("after the live set shrank: %d addresses, want the one live", len(got))
	}
	jf.remove()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("journal left after remove: %v", err)
	}
	var none *journalFile // no identity: no journal, no error
	if err := none.cover(many); err != nil || none.exists() {
		t.Errorf("nil journal: %v", err)
	}
}
