package textguard

import (
	"bytes"
	"os"

	"github.com/go-delve/delve/pkg/proc"
)

// A span is a run of text holding one or more breakpoint addresses, with
// its bytes clean (as in the binary) and armed (with the instructions).
type span struct {
	addr         uint64
	clean, armed []byte
}

// A plan writes a set of entries with one write per span: entries on the
// same page or on adjacent pages share a span, so that a hundred
// breakpoints in one package cost a few writes, not a hundred. A span
// only covers pages that hold an entry (each of them already a private
// copy, since an instruction was written to it), and its bytes between
// entries are read once, at a stop, when the plan is made.
type plan struct {
	entries []Entry
	at      map[uint64]int // address: index in entries
	spans   []span
}

// makePlan groups entries (sorted by address) into spans; read reads the
// process's memory. A run whose bytes cannot be read, or do not hold the
// entries' original bytes, is written entry by entry.
func makePlan(entries []Entry, read func(b []byte, addr uint64) error) *plan {
	p := &plan{entries: entries, at: make(map[uint64]int, len(entries))}
	page := uint64(os.Getpagesize())
	for i := 0; i < len(entries); {
		j := i + 1
		for j < len(entries) && entries[j].Addr/page <= (entries[j-1].Addr+uint64(len(entries[j-1].Instr))-1)/page+1 {
			j++
		}
		p.spans = append(p.spans, runSpans(entries[i:j], read)...)
		i = j
	}
	for i, e := range entries {
		p.at[e.Addr] = i
	}
	return p
}

// runSpans returns one span for a run of entries, or one per entry.
func runSpans(run []Entry, read func(b []byte, addr uint64) error) []span {
	if len(run) > 1 {
		first, last := run[0], run[len(run)-1]
		clean := make([]byte, last.Addr+uint64(len(last.Instr))-first.Addr)
		if read(clean, first.Addr) == nil {
			armed := bytes.Clone(clean)
			ok := true
			for _, e := range run {
				off := e.Addr - first.Addr
				ok = ok && bytes.Equal(clean[off:off+uint64(len(e.Original))], e.Original)
				copy(armed[off:], e.Instr)
			}
			if ok {
				return []span{{addr: first.Addr, clean: clean, armed: armed}}
			}
		}
	}
	spans := make([]span, len(run))
	for i, e := range run {
		spans[i] = span{addr: e.Addr, clean: e.Original, armed: e.Instr}
	}
	return spans
}

// all returns the spans of p, none for a nil plan.
func (p *plan) all() []span {
	if p == nil {
		return nil
	}
	return p.spans
}

// has reports whether p writes an entry at addr.
func (p *plan) has(addr uint64) bool {
	if p == nil {
		return false
	}
	_, ok := p.at[addr]
	return ok
}

// matches reports whether p writes exactly the software breakpoints of
// bps, with their original bytes and instruction: without building,
// sorting and comparing the entry list that a resume otherwise needs.
func (p *plan) matches(bps map[uint64]*proc.Breakpoint, instr []byte) bool {
	if p == nil {
		return false
	}
	n := 0
	for addr, bp := range bps {
		if bp.WatchType != 0 || len(bp.OriginalData) == 0 {
			continue
		}
		i, ok := p.at[addr]
		if !ok || !bytes.Equal(p.entries[i].Original, bp.OriginalData) || !bytes.Equal(p.entries[i].Instr, instr) {
			return false
		}
		n++
	}
	return n == len(p.entries)
}
