package textguard

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// journalMagic is the first line of a journal file, with its format version.
const journalMagic = "dlvx-breakpoint-journal 1"

// An Entry is one address that may hold a breakpoint instruction.
type Entry struct {
	Addr     uint64
	Original []byte // the bytes the instruction replaced
	Instr    []byte // the breakpoint instruction written there
}

// A Journal lists every breakpoint instruction a debugger may have left in
// one process. It lives in a file, outside the debugger's memory, so that
// a guardian, the doctor or repair can read it after the debugger died.
type Journal struct {
	Target   Identity
	Exe      string // the executable the debugger loaded, informative
	Debugger int    // the debugger's PID
	Entries  []Entry
}

// Dir returns the directory of journal files: $XDG_RUNTIME_DIR/dlvx, else
// /run/dlvx for root, else dlvx-UID in the temporary directory.
func Dir() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "dlvx")
	}
	if os.Geteuid() == 0 {
		return "/run/dlvx"
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("dlvx-%d", os.Geteuid()))
}

// Path returns the journal file of the process id in Dir.
func Path(id Identity) string {
	return filepath.Join(Dir(), fmt.Sprintf("%d-%d.journal", id.PID, id.Start))
}

// Write replaces the journal file at path atomically (a reader sees the
// old or the new journal, never a part).
func (j *Journal) Write(path string) error {
	f, err := j.create(path)
	if err != nil {
		return err
	}
	return f.Close()
}

// create writes the journal to a temporary file, renames it to path and
// returns it open for appending entries.
func (j *Journal) create(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("write journal: %w", err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\npid %d\nstart %d\ndebugger %d\nexe %s\n", journalMagic, j.Target.PID, j.Target.Start, j.Debugger, j.Exe)
	for _, e := range j.Entries {
		appendEntry(&b, e)
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	if err == nil {
		if _, err = f.Write(b.Bytes()); err == nil {
			err = os.Rename(tmp, path)
		}
		if err != nil {
			f.Close()
		}
	}
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("write journal: %w", err)
	}
	return f, nil
}

func appendEntry(b *bytes.Buffer, e Entry) {
	fmt.Fprintf(b, "bp %#x %x %x\n", e.Addr, e.Original, e.Instr)
}

// ReadJournal reads a journal file.
func ReadJournal(path string) (*Journal, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	j, err := parseJournal(data)
	if err != nil {
		return nil, fmt.Errorf("read journal %s: %w", path, err)
	}
	return j, nil
}

// ErrMalformedJournal reports a journal file that is not one.
var ErrMalformedJournal = errors.New("malformed journal")

// parseJournal parses a journal. A last line without its newline is an
// append cut short: its instruction was never written, and it is ignored.
// An address listed twice keeps its last entry.
func parseJournal(data []byte) (*Journal, error) {
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		data = data[:i+1]
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	if !sc.Scan() || sc.Text() != journalMagic {
		return nil, fmt.Errorf("%w: first line is not %q", ErrMalformedJournal, journalMagic)
	}
	j := &Journal{}
	at := map[uint64]int{} // address: index in j.Entries
	for sc.Scan() {
		key, val, _ := strings.Cut(sc.Text(), " ")
		var err error
		switch key {
		case "pid":
			j.Target.PID, err = strconv.Atoi(val)
		case "start":
			j.Target.Start, err = strconv.ParseUint(val, 10, 64)
		case "debugger":
			j.Debugger, err = strconv.Atoi(val)
		case "exe":
			j.Exe = val
		case "bp":
			var e Entry
			if e, err = parseEntry(val); err != nil {
				break
			}
			if i, ok := at[e.Addr]; ok {
				j.Entries[i] = e
			} else {
				at[e.Addr] = len(j.Entries)
				j.Entries = append(j.Entries, e)
			}
		default:
			err = errors.New("unknown key")
		}
		if err != nil {
			return nil, fmt.Errorf("%w: line %q: %v", ErrMalformedJournal, sc.Text(), err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedJournal, err)
	}
	if j.Target.PID <= 0 {
		return nil, fmt.Errorf("%w: no pid", ErrMalformedJournal)
	}
	return j, nil
}

func parseEntry(s string) (Entry, error) {
	f := strings.Fields(s)
	if len(f) != 3 {
		return Entry{}, errors.New("want address, original bytes, instruction")
	}
	addr, err := strconv.ParseUint(f[0], 0, 64)
	if err != nil {
		return Entry{}, err
	}
	orig, err := hex.DecodeString(f[1])
	if err != nil {
		return Entry{}, err
	}
	instr, err := hex.DecodeString(f[2])
	if err != nil {
		return Entry{}, err
	}
	if len(orig) == 0 || len(orig) != len(instr) {
		return Entry{}, errors.New("original bytes and instruction differ in length")
	}
	return Entry{Addr: addr, Original: orig, Instr: instr}, nil
}

// FindJournal returns the journal of the live process id, or nil when
// there is none.
func FindJournal(id Identity) (*Journal, error) {
	j, err := ReadJournal(Path(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return j, err
}

// sameEntries reports whether two entry lists are equal, in order.
func sameEntries(a, b []Entry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Addr != b[i].Addr || !bytes.Equal(a[i].Original, b[i].Original) || !bytes.Equal(a[i].Instr, b[i].Instr) {
			return false
		}
	}
	return true
}
