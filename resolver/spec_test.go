package resolver

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/preempt"
	"github.com/go-delve/delve/pkg/proc"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want *Spec // nil: not dlvx syntax
	}{
		{"main.work+0x1c", &Spec{Symbol: "main.work", Offset: 0x1c}},
		{"runtime.asyncPreempt+13", &Spec{Symbol: "runtime.asyncPreempt", Offset: 13}},
		{"main.(*T).Run+010", &Spec{Symbol: "main.(*T).Run", Offset: 10}},
		{"main.work+0X1C@g7", &Spec{Symbol: "main.work", Offset: 0x1c, Goroutines: []int64{7}}},
		{"preempt:entry", &Spec{Hook: preempt.Entry}},
		{"preempt:park@g7,12", &Spec{Hook: preempt.Park, Goroutines: []int64{7, 12}}},
		{"preempt:resume@g7,g12", &Spec{Hook: preempt.Resume, Goroutines: []int64{7, 12}}},
		{"main.work", nil},
		{"main.go:12", nil},
		{"+3", nil},
		{"*0x401000", nil},
		{"/main.+/", nil},
		{"main.go:+1", nil},
		{"a+b", nil},
	}
	for _, tc := range tests {
		got, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if (got == nil) != (tc.want == nil) || got != nil && (got.Symbol != tc.want.Symbol ||
			got.Offset != tc.want.Offset || got.Hook != tc.want.Hook || !slices.Equal(got.Goroutines, tc.want.Goroutines)) {
			t.Errorf("Parse(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"preempt:exit", "preempt:", "main.work+0xzz", "main.work+99999999999999999999", "preempt:entry@g", "preempt:entry@gx", "preempt:entry@g0", "main.work+1@g-2"} {
		var se *SyntaxError
		if _, err := Parse(in); !errors.As(err, &se) || se.Loc != in {
			t.Errorf("Parse(%q): got %v, want a *SyntaxError", in, err)
		}
	}
	if _, err := Parse("preempt:exit"); !errors.Is(err, preempt.ErrUnknownHook) {
		t.Errorf("Parse(preempt:exit): error %v does not wrap ErrUnknownHook", err)
	}
}

func TestSpecStringAndCondition(t *testing.T) {
	s, _ := Parse("preempt:park@g7,12")
	if got := s.String(); got != "preempt:park@g7,12" {
		t.Errorf("String() = %q", got)
	}
	if got, want := s.Condition(), "runtime.curg.goid == 7 || runtime.curg.goid == 12"; got != want {
		t.Errorf("Condition() = %q, want %q", got, want)
	}
	if s.StackDepth() != 3 {
		t.Errorf("preempt:park: StackDepth %d, want 3 (asyncPreempt2, asyncPreempt, preempted)", s.StackDepth())
	}
	s, _ = Parse("main.work+28")
	if s.String() != "main.work+0x1c" || s.Condition() != "" || s.StackDepth() != 0 {
		t.Errorf("main.work+28: String %q, Condition %q", s.String(), s.Condition())
	}
	for _, h := range preempt.Hooks() {
		if !strings.Contains(Help(), h.String()) {
			t.Errorf("Help() does not document hook %s", h)
		}
	}
}

// code is amd64 machine code: PUSHQ BP (1 byte), MOVQ SP, BP (3),
// SUBQ $0x10, SP (4), RET (1).
var code = []byte{0x55, 0x48, 0x89, 0xe5, 0x48, 0x83, 0xec, 0x10, 0xc3}

func TestCheckOffset(t *testing.T) {
	for _, off := range []uint64{0, 1, 4, 8} {
		if err := CheckOffset("amd64", "main.f", code, 0x1000, off); err != nil {
			t.Errorf("offset %d: %v", off, err)
		}
	}
	var oe *OffsetError
	err := CheckOffset("amd64", "main.f", code, 0x1000, 6)
	if !errors.As(err, &oe) || oe.Inside == nil || oe.Prev != 4 || oe.Next != 8 || oe.Inside.Len != 4 {
		t.Errorf("offset 6: got %v (%+v), want inside the instruction at 4, next at 8", err, oe)
	}
	err = CheckOffset("amd64", "main.f", code, 0x1000, 9)
	if !errors.As(err, &oe) || oe.Inside != nil || oe.Size != 9 || oe.Prev != 8 {
		t.Errorf("offset 9: got %v (%+v), want past the end of 9 bytes, last instruction at 8", err, oe)
	}
	if err := CheckOffset("mips", "main.f", code, 0x1000, 0); !errors.Is(err, preempt.ErrUnsupportedArch) {
		t.Errorf("mips: got %v, want ErrUnsupportedArch", err)
	}
	// An arm64 offset must be a multiple of 4.
	arm := []byte{0x1f, 0x20, 0x03, 0xd5, 0xc0, 0x03, 0x5f, 0xd6} // NOP; RET
	if err := CheckOffset("arm64", "main.f", arm, 0x1000, 2); !errors.As(err, &oe) || oe.Prev != 0 || oe.Next != 4 {
		t.Errorf("arm64 offset 2: got %v, want inside the instruction at 0", err)
	}
}

func TestUnknownSymbolError(t *testing.T) {
	e := &UnknownSymbolError{Name: "main.wrok", Closest: []string{"main.work"}}
	if !strings.Contains(e.Error(), "main.work") {
		t.Errorf("UnknownSymbolError does not name the closest function: %s", e)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"main.work+0x1c", "preempt:entry@g7,12", "a+1@g", "+", "preempt:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := Parse(s)
		if spec != nil && err != nil {
			t.Fatalf("Parse(%q) returned a spec and an error", s)
		}
		if spec != nil {
			again, err := Parse(spec.String())
			if err != nil || again == nil || again.String() != spec.String() {
				t.Fatalf("Parse(%q).String() = %q does not parse back: %v", s, spec.String(), err)
			}
		}
	})
}

// Every notice is a catalog finding, built by finding.New with evidence:
// its title and severity are the catalog's, never the call site's.
func TestNoticesAreCatalogFindings(t *testing.T) {
	notices := []struct {
		f    finding.Finding
		id   string
		sev  finding.Severity
		fix  bool
		fact string // in the evidence
	}{
		{abi0Notice("runtime.asyncPreempt2", &proc.Function{Entry: 0x1000}, []*proc.Function{{Entry: 0x2000}}, true), "BP-FUNCNAME-ABI0", finding.SevInfo, true, "0x2000"},
		{reenabledNotice("amd64", 1), "AP-CORRECT-REENABLED", finding.SevInfo, false, "was 1"},
		{reenabledNotice("arm64", 1), "AP-CORRECT-DOUBLEHIT", finding.SevWarn, true, "arm64"},
		{reenabledNotice("loong64", 2), "AP-CORRECT-DOUBLEHIT", finding.SevWarn, true, "loong64"},
		{unreadableNotice("no DWARF"), "AP-CORRECT-UNREADABLE", finding.SevWarn, true, "no DWARF"},
		{godebugNotice(42, "asyncpreemptoff=1"), "AP-CORRECT-GODEBUG", finding.SevError, true, "/proc/42/environ"},
		{stillOffNotice(1, errors.New("read-only")), "AP-CORRECT-STILL-OFF", finding.SevError, true, "read-only"},
	}
	for _, n := range notices {
		title, sev, _, ok := finding.Explain(n.f.ID)
		if !ok || n.f.ID != n.id || n.f.Severity != n.sev || sev != n.sev || n.f.Title != title || n.f.Check != noticeCheck {
			t.Errorf("%s: got %s %s %q (check %q), want the catalog's %s %s %q", n.id, n.f.ID, n.f.Severity, n.f.Title, n.f.Check, n.id, sev, title)
		}
		var facts []string
		for _, e := range n.f.Evidence {
			facts = append(facts, e.Source+" "+e.Fact)
		}
		if !strings.Contains(strings.Join(facts, "\n"), n.fact) {
			t.Errorf("%s: evidence %q lacks %q", n.id, facts, n.fact)
		}
		if n.fix != (len(n.f.Fixes) > 0) {
			t.Errorf("%s: fixes %+v, want some: %v", n.id, n.f.Fixes, n.fix)
		}
	}
}

func TestAsyncPreemptOffInEnv(t *testing.T) {
	tests := []struct {
		env  string
		want bool
	}{
		{"PATH=/bin\x00GODEBUG=asyncpreemptoff=1\x00", true},
		{"GODEBUG=gctrace=1,asyncpreemptoff=1,madvdontneed=0", true},
		{"GODEBUG=asyncpreemptoff=1,asyncpreemptoff=0", false},
		{"GODEBUG=gctrace=1", false},
		{"XGODEBUG=asyncpreemptoff=1", false},
		{"", false},
	}
	for _, tc := range tests {
		if _, got := asyncPreemptOffInEnv([]byte(tc.env)); got != tc.want {
			t.Errorf("asyncPreemptOffInEnv(%q) = %v, want %v", tc.env, got, tc.want)
		}
	}
}
