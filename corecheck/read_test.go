package corecheck

import (
	"bytes"
	"debug/elf"
	"errors"
	"io"
	"testing"
)

func readBytes(data []byte) (*Core, error) { return Read(bytes.NewReader(data), int64(len(data))) }

// TestReadErrors: each kind of file that is not a readable core gets its
// typed error.
func TestReadErrors(t *testing.T) {
	exe := synthCore(nil, nil)
	exe[16] = byte(elf.ET_EXEC)
	cases := []struct {
		name string
		data []byte
		want func(error) bool
	}{
		{"empty", nil, func(err error) bool { return errors.Is(err, ErrEmpty) }},
		{"text", []byte("hello, world"), func(err error) bool { return errors.Is(err, ErrNotELF) }},
		{"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0}, func(err error) bool {
			var ce *CompressedError
			return errors.As(err, &ce) && ce.Format == "zstd"
		}},
		{"xz", []byte{0xfd, '7', 'z', 'X', 'Z', 0, 1}, func(err error) bool {
			var ce *CompressedError
			return errors.As(err, &ce) && ce.Format == "xz"
		}},
		{"executable", exe, func(err error) bool {
			var ne *NotCoreError
			return errors.As(err, &ne) && ne.Type == elf.ET_EXEC
		}},
		{"header cut", synthCore(nil, nil)[:40], func(err error) bool { return errors.Is(err, ErrTruncated) }},
		{"program headers cut", synthCore(nil, []synthLoad{{0x1000, 0x1000, nil}})[:100], func(err error) bool {
			var fe *FormatError
			return errors.As(err, &fe) && errors.Is(err, ErrTruncated) && fe.Off == 64
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readBytes(tc.data)
			if !tc.want(err) {
				t.Fatalf("Read: %v (%T)", err, err)
			}
		})
	}
}

// TestReadNotes decodes threads, mapped files and the auxiliary vector,
// and reads memory from the segments.
func TestReadNotes(t *testing.T) {
	auxv := make([]byte, 32)
	auxv[0], auxv[8], auxv[9], auxv[16] = AtEntry, 0x10, 0x40, 0 // AT_ENTRY 0x4010, AT_NULL
	data := synthCore([]synthNote{
		{"CORE", elf.NT_PRSTATUS, prstatus(101, 11)},
		{"CORE", elf.NT_PRSTATUS, prstatus(102, 0)},
		{"CORE", ntAuxv, auxv},
		{"CORE", ntFile, ntFileDesc(MappedFile{Start: 0x4000, End: 0x5000, Path: "/app/server"})},
	}, []synthLoad{{0x4000, 0x1000, []byte("\x7fELF-not-really")}})
	c, err := readBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.NoteErrs) > 0 || len(c.Threads) != 2 || c.Threads[0].TID != 101 || c.Threads[0].Signal != 11 {
		t.Fatalf("threads %+v, errors %v", c.Threads, c.NoteErrs)
	}
	if m, ok := c.ExeMapping(); !ok || m.Path != "/app/server" {
		t.Fatalf("ExeMapping = %+v, %v", m, ok)
	}
	buf := make([]byte, 4)
	if err := c.ReadMemory(buf, 0x4000); err != nil || string(buf) != "\x7fELF" {
		t.Fatalf("ReadMemory = %q, %v", buf, err)
	}
	var me *MemoryError
	if err := c.ReadMemory(buf, 0x4ffe); !errors.As(err, &me) || me.Cut {
		t.Fatalf("read past the segment's contents: %v", err)
	}
	cut, err := readBytes(data[:len(data)-4])
	if err != nil {
		t.Fatal(err)
	}
	if err := cut.ReadMemory(buf, 0x400c); !errors.As(err, &me) || !me.Cut {
		t.Fatalf("read of a cut segment: %v", err)
	}
}

// TestReadDamagedNotes: a descriptor that runs past its segment is a
// FormatError at the note's offset, and the notes before it survive.
func TestReadDamagedNotes(t *testing.T) {
	data := synthCore([]synthNote{{"CORE", elf.NT_PRSTATUS, prstatus(7, 0)}, {"CORE", elf.NT_PRSTATUS, prstatus(8, 0)}}, nil)
	second := int64(64 + 56 + 12 + 8 + 336)
	data[second+4] = 0xff // the second note's descsz
	c, err := readBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Threads) != 1 || len(c.NoteErrs) != 1 || c.NoteErrs[0].Off != second || !errors.Is(c.NoteErrs[0], ErrTruncated) {
		t.Fatalf("threads %+v, errors %v", c.Threads, c.NoteErrs)
	}
}

// FuzzCoreReader: no input makes the reader, the image parser or the
// memory reader panic or hang.
func FuzzCoreReader(f *testing.F) {
	f.Add([]byte{})
	f.Add(synthCore([]synthNote{{"CORE", elf.NT_PRSTATUS, prstatus(1, 6)}, {"CORE", ntFile, ntFileDesc(MappedFile{Start: 0x1000, End: 0x2000, Path: "/a"})}},
		[]synthLoad{{0x1000, 0x1000, synthCore(nil, nil)}}))
	f.Add(synthCore([]synthNote{{"Delve Header", ntDelveHeader, []byte("linux/amd64\n1.27.2\nTarget Pid: 3\nEntry Point: 0x10\n")}, {"", ntDelveThread, make([]byte, 40)}}, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Read(bytes.NewReader(data), int64(len(data)))
		ParseImage(data)
		if err != nil {
			return
		}
		c.ExeImage()
		buf := make([]byte, 64)
		for _, s := range c.Loads {
			c.ReadMemory(buf, s.Vaddr)
		}
		io.Discard.Write(buf)
	})
}
