package breakcheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"sort"
	"strconv"

	"github.com/go-delve/delve/pkg/proc"
)

// A span is the lines of one function in a source file, from its func
// keyword to its closing brace, without the function literals nested in
// it (their code belongs to other functions of the binary).
type span struct {
	Name       string // as the source writes it: "main", "(*T).M", "main.func1" for a literal
	Start, End int
	holes      [][2]int // nested function literals
}

// contains reports whether line belongs to the span's own code.
func (s span) contains(line int) bool {
	if line < s.Start || line > s.End {
		return false
	}
	for _, h := range s.holes {
		if line >= h[0] && line <= h[1] {
			return false
		}
	}
	return true
}

// A scope is where a line sits in its file: inside a function, or between
// two (Prev, Next zero when there is none on that side).
type scope struct {
	In         *span
	Prev, Next span
	FromSource bool // read from the source file, not inferred from the binary
}

// lineScope finds the function enclosing line: from the source file local
// when it parses, else from the binary's line table for file.
func lineScope(bi *proc.BinaryInfo, file, local string, line int) scope {
	if spans, ok := sourceSpans(local); ok {
		sc := scopeOf(spans, line)
		sc.FromSource = true
		return sc
	}
	return scopeOf(binarySpans(bi, file), line)
}

// scopeOf picks the innermost span containing line, or the spans around it.
func scopeOf(spans []span, line int) scope {
	var sc scope
	for i := range spans {
		s := spans[i]
		switch {
		case s.contains(line):
			if sc.In == nil || s.End-s.Start < sc.In.End-sc.In.Start {
				sc.In = &spans[i]
			}
		case s.End < line && s.End > sc.Prev.End:
			sc.Prev = s
		case s.Start > line && (sc.Next.Start == 0 || s.Start < sc.Next.Start):
			sc.Next = s
		}
	}
	return sc
}

// sourceSpans parses a Go file and returns the span of every function
// declaration and function literal; ok is false when it does not parse.
func sourceSpans(local string) ([]span, bool) {
	if local == "" {
		return nil, false
	}
	src, err := os.ReadFile(local)
	if err != nil {
		return nil, false
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, local, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, false
	}
	lineOf := func(p token.Pos) int { return fset.Position(p).Line }
	var spans []span
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		top := span{Name: declName(fd), Start: lineOf(fd.Pos()), End: lineOf(fd.Body.Rbrace)}
		lits := 0
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			fl, ok := n.(*ast.FuncLit)
			if !ok {
				return true
			}
			lits++
			s := span{Name: top.Name + ".func" + strconv.Itoa(lits), Start: lineOf(fl.Pos()), End: lineOf(fl.Body.Rbrace)}
			spans = append(spans, s)
			return true
		})
		spans = append(spans, top)
	}
	// A span's holes are the spans strictly inside it.
	for i := range spans {
		for j := range spans {
			if i != j && spans[j].Start >= spans[i].Start && spans[j].End <= spans[i].End &&
				(spans[j].Start > spans[i].Start || spans[j].End < spans[i].End) {
				spans[i].holes = append(spans[i].holes, [2]int{spans[j].Start, spans[j].End})
			}
		}
	}
	return spans, true
}

// declName is a function's name as Delve prints it after the package:
// "F", "T.M", "(*T).M".
func declName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	star := false
	if s, ok := t.(*ast.StarExpr); ok {
		star, t = true, s.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	recv := "?"
	if id, ok := t.(*ast.Ident); ok {
		recv = id.Name
	}
	if star {
		return "(*" + recv + ")." + fd.Name.Name
	}
	return recv + "." + fd.Name.Name
}

// binarySpans infers function spans from the line table when the source
// cannot be read: each concrete function whose entry is in file spans from
// its entry line to the last line of file its own code has. Functions
// inlined everywhere have no span: their lines count as the caller's.
func binarySpans(bi *proc.BinaryInfo, file string) []span {
	const maxLines = 20000
	lines := make([]int, maxLines)
	for i := range lines {
		lines[i] = i + 1
	}
	byFn := map[*proc.Function]*span{}
	for l, pcs := range bi.AllPCsForFileLines(file, lines) {
		for _, pc := range pcs {
			fn := bi.PCToFunc(pc)
			if fn == nil {
				continue
			}
			s := byFn[fn]
			if s == nil {
				ef, el := bi.EntryLineForFunc(fn)
				if ef != file {
					continue
				}
				s = &span{Name: fn.Name, Start: el, End: el}
				byFn[fn] = s
			}
			s.Start, s.End = min(s.Start, l), max(s.End, l)
		}
	}
	out := make([]span, 0, len(byFn))
	for _, s := range byFn {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	for i := range out {
		for j := range out {
			if i != j && out[j].Start > out[i].Start && out[j].End <= out[i].End {
				out[i].holes = append(out[i].holes, [2]int{out[j].Start, out[j].End})
			}
		}
	}
	return out
}

// statementIn returns the closest line in direction dir (-1 up, +1 down)
// from line, inside sp, where Delve would set a breakpoint; 0 when none.
func statementIn(p *fileProcess, file string, line int, sp span, dir int) int {
	for l := line + dir; l >= sp.Start && l <= sp.End; l += dir {
		if !sp.contains(l) {
			continue
		}
		if _, err := proc.FindFileLocation(p, file, l); err == nil {
			return l
		}
	}
	return 0
}
