package textguard

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// fakeText is a process's text for plans: base holds data.
type fakeText struct {
	base uint64
	data []byte
}

func (f *fakeText) Read(b []byte, addr uint64) error {
	if addr < f.base || addr+uint64(len(b)) > f.base+uint64(len(f.data)) {
		return errors.New("unmapped")
	}
	copy(b, f.data[addr-f.base:])
	return nil
}

func (f *fakeText) Write(b []byte, addr uint64) error {
	if addr < f.base || addr+uint64(len(b)) > f.base+uint64(len(f.data)) {
		return errors.New("unmapped")
	}
	copy(f.data[addr-f.base:], b)
	return nil
}

func TestPlanSpans(t *testing.T) {
	page := uint64(os.Getpagesize())
	text := &fakeText{base: 0x400000, data: make([]byte, 8*page)}
	for i := range text.data {
		text.data[i] = byte(i*7 + 1)
	}
	clean := bytes.Clone(text.data)
	at := func(off uint64) Entry {
		a := text.base + off
		return Entry{Addr: a, Original: []byte{text.data[off]}, Instr: []byte{0xcc}}
	}
	entries := []Entry{
		at(0x10), at(0x300), at(page - 1), // page 0
		at(page + 5),       // page 1: adjacent, same span
		at(4*page + 0x40),  // page 4: a span of its own
		at(6*page + 0x100), // page 6
		at(6*page + 0x101), // page 6, next byte
	}
	p := makePlan(entries, text.Read)
	if len(p.spans) != 3 {
		t.Fatalf("%d spans, want 3 (pages 0-1, 4, 6): %+v", len(p.spans), p.spans)
	}
	for _, sp := range p.spans {
		if err := text.Write(sp.armed, sp.addr); err != nil {
			t.Fatal(err)
		}
	}
	for i := range text.data {
		want := clean[i]
		for _, e := range entries {
			if e.Addr-text.base == uint64(i) {
				want = 0xcc
			}
		}
		if text.data[i] != want {
			t.Fatalf("armed text at +%#x is %#x, want %#x", i, text.data[i], want)
		}
	}
	for _, sp := range p.spans {
		text.Write(sp.clean, sp.addr)
	}
	if !bytes.Equal(text.data, clean) {
		t.Error("text not clean after the spans' clean bytes")
	}
	for _, e := range entries {
		if !p.has(e.Addr) {
			t.Errorf("plan lacks %#x", e.Addr)
		}
	}
	if p.has(text.base) || (*plan)(nil).has(entries[0].Addr) || (*plan)(nil).all() != nil {
		t.Error("has/all of an address or a plan without entries")
	}
}

// TestPlanFallsBack: a run whose bytes cannot be read, or whose bytes are
// not the entries' original ones (the text is not what Delve read), is
// written entry by entry, never with bytes the plan did not check.
func TestPlanFallsBack(t *testing.T) {
	text := &fakeText{base: 0x1000, data: bytes.Repeat([]byte{0x90}, 0x100)}
	mismatch := []Entry{
		{Addr: 0x1010, Original: []byte{0x90}, Instr: []byte{0xcc}},
		{Addr: 0x1020, Original: []byte{0x55}, Instr: []byte{0xcc}}, // memory has 0x90
	}
	unreadable := []Entry{
		{Addr: 0x10f0, Original: []byte{0x90}, Instr: []byte{0xcc}},
		{Addr: 0x1200, Original: []byte{0x90}, Instr: []byte{0xcc}}, // past the mapping
	}
	for name, entries := range map[string][]Entry{"mismatch": mismatch, "unreadable": unreadable} {
		p := makePlan(entries, text.Read)
		if len(p.spans) != len(entries) {
			t.Errorf("%s: %d spans, want one per entry", name, len(p.spans))
		}
		for i, sp := range p.spans {
			if sp.addr != entries[i].Addr || !bytes.Equal(sp.clean, entries[i].Original) || !bytes.Equal(sp.armed, entries[i].Instr) {
				t.Errorf("%s: span %d = %+v, want entry %+v", name, i, sp, entries[i])
			}
		}
	}
}
