package breakcheck

import (
	"debug/elf"
	"errors"
	"fmt"

	"github.com/go-delve/delve/pkg/proc"
)

// Lines answers line questions about a binary a debugging session has
// loaded: where a line breakpoint binds, and which lines of a range can
// hold one. It reads that session's BinaryInfo, not a copy of its own, and
// the executable file for the bytes Delve disassembles to skip prologues,
// so it never reads the process's memory and never waits for the process
// to stop. Close releases the file.
type Lines struct {
	p *fileProcess
	f *elf.File
}

// NewLines returns Lines over bi, a BinaryInfo Delve loaded for its
// first image's executable.
func NewLines(bi *proc.BinaryInfo) (*Lines, error) {
	if bi == nil || len(bi.Images) == 0 {
		return nil, errors.New("no binary loaded")
	}
	f, err := elf.Open(bi.Images[0].Path)
	if err != nil {
		return nil, fmt.Errorf("open the executable: %w", err)
	}
	return &Lines{p: newFileProcess(bi, f), f: f}, nil
}

// Close closes the executable file.
func (l *Lines) Close() error { return l.f.Close() }

// A Placement says where a breakpoint asked for at a line binds.
type Placement struct {
	Line     int    // the line asked, the next statement of its function, or 0 when it cannot bind
	Function string // the enclosing function as the source names it; "" outside every function
	Reason   string // one line when Line is not the line asked; "" otherwise
}

// Moved reports whether the breakpoint binds at another line than asked.
func (p Placement) Moved(asked int) bool { return p.Line != 0 && p.Line != asked }

// Place says where a breakpoint at line of file (the binary's path) binds,
// as every editor's debugger does it: a line with a statement binds there;
// a line without one binds at the next statement line of the same
// function (read from local, the source file, when it parses); a line
// outside every function, or with no statement after it in its function,
// does not bind. A file the binary does not have is placed where asked:
// why it does not bind is the verdicts' business.
func (l *Lines) Place(file, local string, line int) Placement {
	_, err := proc.FindFileLocation(l.p, file, line)
	var nf *proc.ErrCouldNotFindLine
	if err == nil || !errors.As(err, &nf) || !l.hasFile(file) {
		return Placement{Line: line}
	}
	sc := lineScope(l.p.bi, file, local, line)
	if sc.In == nil {
		return Placement{Reason: outsideFunctions(sc, line)}
	}
	in := *sc.In
	if next := statementIn(l.p, file, line, in, +1); next > 0 {
		return Placement{Line: next, Function: in.Name,
			Reason: fmt.Sprintf("moved from line %d, which has no statement, to the next statement of %s", line, in.Name)}
	}
	return Placement{Function: in.Name, Reason: fmt.Sprintf("no line of %s after line %d has a statement", in.Name, line)}
}

// Statements returns the lines from..to of file where a breakpoint binds
// as asked, in order.
func (l *Lines) Statements(file string, from, to int) []int {
	var out []int
	for n := from; n <= to && n-from < 10000; n++ {
		if _, err := proc.FindFileLocation(l.p, file, n); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// hasFile reports whether the binary's line tables name file.
func (l *Lines) hasFile(file string) bool {
	for _, s := range l.p.bi.Sources {
		if s == file {
			return true
		}
	}
	return false
}
