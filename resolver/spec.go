package resolver

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dlvx/dlvx/preempt"
)

// HookPrefix starts every preemption-hook location.
const HookPrefix = "preempt:"

// A Spec is a parsed location in dlvx's syntax.
type Spec struct {
	Symbol     string       // offset locations: the function's name
	Offset     uint64       // offset locations: bytes from the entry
	Hook       preempt.Hook // hook locations; 0 for offset locations
	Goroutines []int64      // filter; nil keeps every goroutine
}

// IsHook reports whether s is a preemption-hook location.
func (s *Spec) IsHook() bool { return s.Hook != 0 }

// String returns s in the syntax Parse reads.
func (s *Spec) String() string {
	var b strings.Builder
	if s.IsHook() {
		b.WriteString(HookPrefix + s.Hook.String())
	} else {
		fmt.Fprintf(&b, "%s+%#x", s.Symbol, s.Offset)
	}
	for i, g := range s.Goroutines {
		if i == 0 {
			b.WriteString("@g")
		} else {
			b.WriteString(",")
		}
		b.WriteString(strconv.FormatInt(g, 10))
	}
	return b.String()
}

// Condition returns the breakpoint condition the goroutine filter implies,
// or "" without a filter.
func (s *Spec) Condition() string {
	terms := make([]string, len(s.Goroutines))
	for i, g := range s.Goroutines {
		terms[i] = fmt.Sprintf("runtime.curg.goid == %d", g)
	}
	return strings.Join(terms, " || ")
}

// StackDepth returns how many frames a stop at s should show so that the
// interrupted frame is among them: at a hook, the preempted function is
// below runtime.asyncPreempt (and runtime.asyncPreempt2 at park and
// resume). Offset locations need no stack.
func (s *Spec) StackDepth() int {
	switch s.Hook {
	case 0:
		return 0
	case preempt.Park, preempt.Resume:
		return 3
	}
	return 2
}

// A SyntaxError reports a location that is in dlvx's syntax but malformed.
type SyntaxError struct {
	Loc string
	Err error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("malformed location %q: %v", e.Loc, e.Err)
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// Parse parses loc. It returns (nil, nil) when loc is not in dlvx's syntax,
// so that Delve's own syntax can have it.
func Parse(loc string) (*Spec, error) {
	body, filter, hasFilter := strings.Cut(loc, "@g")
	var spec *Spec
	if name, ok := strings.CutPrefix(body, HookPrefix); ok {
		h, err := preempt.ParseHook(name)
		if err != nil {
			return nil, &SyntaxError{Loc: loc, Err: err}
		}
		spec = &Spec{Hook: h}
	} else {
		sym, off, ok := splitOffset(body)
		if !ok {
			return nil, nil
		}
		n, err := parseOffset(off)
		if err != nil {
			return nil, &SyntaxError{Loc: loc, Err: err}
		}
		spec = &Spec{Symbol: sym, Offset: n}
	}
	if hasFilter {
		gs, err := parseFilter(filter)
		if err != nil {
			return nil, &SyntaxError{Loc: loc, Err: err}
		}
		spec.Goroutines = gs
	}
	return spec, nil
}

// splitOffset splits "SYMBOL+OFFSET". Strings with a colon, a space or a
// leading character of Delve's own syntax (+, -, *, /) are Delve's.
func splitOffset(s string) (sym, off string, ok bool) {
	i := strings.LastIndexByte(s, '+')
	if i <= 0 || strings.ContainsAny(s, ": \t") || strings.ContainsRune("+-*/", rune(s[0])) {
		return "", "", false
	}
	sym, off = s[:i], s[i+1:]
	if off == "" || off[0] < '0' || off[0] > '9' {
		return "", "", false
	}
	return sym, off, true
}

// parseOffset reads a decimal or 0x-prefixed hexadecimal offset. A leading
// zero does not mean octal.
func parseOffset(s string) (uint64, error) {
	base, digits := 10, s
	if rest, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		base, digits = 16, rest
	}
	n, err := strconv.ParseUint(digits, base, 64)
	if err != nil {
		return 0, fmt.Errorf("offset %q is not a decimal or 0x-prefixed hexadecimal number", s)
	}
	return n, nil
}

func parseFilter(s string) ([]int64, error) {
	var out []int64
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimPrefix(f, "g")
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("goroutine filter %q: want @gN or @gN,M with goroutine ids > 0", "@g"+s)
		}
		out = append(out, n)
	}
	return out, nil
}

// Help returns the user documentation of dlvx's locations, for
// `dlvx help locations`.
func Help() string {
	var b strings.Builder
	b.WriteString(`dlvx adds two location forms to Delve's (see 'help break' in the terminal).
They work with break, trace and clearall, over JSON-RPC and in DAP function
breakpoints, and are resolved again after restart.

SYMBOL+OFFSET      a byte offset from a function's entry, decimal or 0x-hex:
                   main.work+0x1c   runtime.asyncPreempt+13
                   The offset must start an instruction (checked by decoding
                   the function); it names the same instruction in every run,
                   PIE included. SYMBOL.abi0 picks a function's ABI0 wrapper.
preempt:HOOK       a point where the runtime asynchronously preempts a
                   goroutine, found by decoding the runtime's code:
`)
	for _, h := range preempt.Hooks() {
		fmt.Fprintf(&b, "                     %-7s %s\n", h, h.Doc())
	}
	b.WriteString(`LOCATION@gN[,M]    stop only in goroutines N, M: preempt:entry@g7
                   (the breakpoint condition runtime.curg.goid == N).

A stop at a hook prints the stack down to the preempted frame, at its real
line and PC.
Hooks need async preemption: where it is off (linux/arm64 under Delve, or
GODEBUG=asyncpreemptoff=1 in a running program) dlvx turns it back on and
says so. A program not yet started with GODEBUG=asyncpreemptoff=1 turns it
off when its runtime starts: dlvx warns that the hooks will not fire.

Examples:
  break preempt:entry@g1
  trace preempt:park
  break main.work+0x1c
`)
	return b.String()
}
