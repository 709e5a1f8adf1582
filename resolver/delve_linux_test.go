package resolver

import (
	"debug/elf"
	"errors"
	"go/constant"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/dlvx/dlvx/finding"
	"github.com/dlvx/dlvx/internal/fixtures"
	"github.com/dlvx/dlvx/preempt"
	"github.com/go-delve/delve/pkg/proc"
	"github.com/go-delve/delve/pkg/proc/native"
)

func TestMain(m *testing.M) {
	code := m.Run()
	fixtures.Cleanup()
	os.Exit(code)
}

// launch starts bin under Delve's native backend, stopped at its entry.
func launch(t *testing.T, bin string) *proc.Target {
	t.Helper()
	fixtures.Require(t, fixtures.AMD64)
	grp, err := native.Launch([]string{bin, "-for", "1m"}, ".", 0, nil, "", "", proc.OutputRedirect{}, proc.OutputRedirect{})
	if err != nil {
		t.Fatalf("launch %s: %v", bin, err)
	}
	t.Cleanup(func() { grp.Detach(true) })
	return grp.Selected
}

// notices collects the notices a Resolver sends, and fails the test on one
// that is not a catalog finding with evidence.
type notices struct {
	t   *testing.T
	mu  sync.Mutex
	ids []string
	all []finding.Finding
}

func (n *notices) add(f finding.Finding) {
	title, sev, _, ok := finding.Explain(f.ID)
	if !ok || f.Title != title || f.Severity != sev || len(f.Evidence) == 0 {
		n.t.Errorf("notice %+v is not the catalog's %q (%s) with evidence", f, title, sev)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.ids = append(n.ids, f.ID)
	n.all = append(n.all, f)
}

func TestResolveHooksLive(t *testing.T) {
	hookFunc := map[preempt.Hook]string{
		preempt.Entry: "runtime.asyncPreempt", preempt.CallHook: "runtime.asyncPreempt",
		preempt.ReturnHook: "runtime.asyncPreempt", preempt.Park: "runtime.asyncPreempt2",
		preempt.Resume: "runtime.asyncPreempt2",
	}
	for _, v := range []fixtures.Variant{fixtures.NoOpt, fixtures.PIE} {
		t.Run(v.Name, func(t *testing.T) {
			bin := fixtures.Build(t, "spin", v)
			tgt := launch(t, bin)
			f, err := elf.Open(bin)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			table, err := preempt.Find(f)
			if err != nil {
				t.Fatal(err)
			}
			r := &Resolver{}
			for _, h := range preempt.Hooks() {
				pcs, err := r.Resolve(tgt, &Spec{Hook: h})
				if err != nil {
					t.Fatalf("preempt:%s: %v", h, err)
				}
				sites := table.Sites[h]
				if len(pcs) != len(sites) {
					t.Fatalf("preempt:%s: %d addresses for %d sites", h, len(pcs), len(sites))
				}
				for i, pc := range pcs {
					fn := tgt.BinInfo().PCToFunc(pc)
					if fn == nil || fn.Name != hookFunc[h] || pc-fn.Entry != sites[i].Offset {
						t.Errorf("preempt:%s at %#x: in %v, want %s+%#x", h, pc, fn, hookFunc[h], sites[i].Offset)
					}
				}
			}
		})
	}
}

func TestResolveOffsetLive(t *testing.T) {
	tgt := launch(t, fixtures.Build(t, "spin", fixtures.PIE))
	got := notices{t: t}
	r := &Resolver{Notify: got.add}
	spin, err := tgt.BinInfo().FindFunction("main.spin")
	if err != nil {
		t.Fatal(err)
	}
	pcs, err := r.Resolve(tgt, &Spec{Symbol: "main.spin", Offset: 0})
	if err != nil || len(pcs) != 1 || pcs[0] != spin[0].Entry {
		t.Fatalf("main.spin+0: %#x, %v; want the entry %#x", pcs, err, spin[0].Entry)
	}

	// A breakpoint inside the function must not change what decodes.
	second := secondInst(t, tgt, spin[0])
	if _, err := tgt.SetBreakpoint(0, spin[0].Entry+second, proc.UserBreakpoint, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Resolve(tgt, &Spec{Symbol: "main.spin", Offset: second}); err != nil {
		t.Errorf("main.spin+%#x with a breakpoint there: %v", second, err)
	}
	var oe *OffsetError
	if _, err := r.Resolve(tgt, &Spec{Symbol: "main.spin", Offset: second + 1}); !errors.As(err, &oe) || oe.Inside == nil || oe.Prev != second {
		t.Errorf("main.spin+%#x: got %v, want inside the instruction at %#x", second+1, err, second)
	}
	size := spin[0].End - spin[0].Entry
	if _, err := r.Resolve(tgt, &Spec{Symbol: "main.spin", Offset: size}); !errors.As(err, &oe) || oe.Inside != nil {
		t.Errorf("main.spin+%#x: got %v, want past the end", size, err)
	}
	var ue *UnknownSymbolError
	if _, err := r.Resolve(tgt, &Spec{Symbol: "main.spni"}); !errors.As(err, &ue) || len(ue.Closest) == 0 || ue.Closest[0] != "main.spin" {
		t.Errorf("main.spni: got %v, want unknown with main.spin closest", err)
	}

	// runtime.asyncPreempt2 names a body and its ABI0 wrapper.
	body, err := r.Resolve(tgt, &Spec{Symbol: "runtime.asyncPreempt2"})
	if err != nil || len(got.ids) != 1 || got.ids[0] != "BP-FUNCNAME-ABI0" {
		t.Fatalf("runtime.asyncPreempt2+0: %v, notices %v; want the body and a BP-FUNCNAME-ABI0 notice", err, got.ids)
	}
	wrapper, err := r.Resolve(tgt, &Spec{Symbol: "runtime.asyncPreempt2.abi0"})
	if err != nil || wrapper[0] == body[0] {
		t.Fatalf("runtime.asyncPreempt2.abi0+0: %#x, %v; want an entry other than the body's %#x", wrapper, err, body[0])
	}
	park, err := r.Resolve(tgt, &Spec{Hook: preempt.Park})
	if err != nil || tgt.BinInfo().PCToFunc(park[0]).Entry != body[0] {
		t.Errorf("preempt:park %#x, %v: want it inside the body at %#x", park, err, body[0])
	}
}

// secondInst returns the offset of fn's second instruction.
func secondInst(t *testing.T, tgt *proc.Target, fn *proc.Function) uint64 {
	t.Helper()
	code, err := readCode(tgt, fn.Entry, fn.End)
	if err != nil {
		t.Fatal(err)
	}
	insts, err := preempt.Decode("amd64", code, fn.Entry)
	if err != nil || len(insts) < 2 {
		t.Fatalf("decode %s: %v", fn.Name, err)
	}
	return insts[1].PC - fn.Entry
}

func TestHookTurnsAsyncPreemptOn(t *testing.T) {
	tgt := launch(t, fixtures.Build(t, "spin", fixtures.NoOpt))
	scope, err := proc.ThreadScope(tgt, tgt.CurrentThread())
	if err != nil {
		t.Fatal(err)
	}
	if err := scope.SetVariable(asyncPreemptOffVar, "1"); err != nil {
		t.Fatal(err)
	}
	got := notices{t: t}
	r := &Resolver{Notify: got.add}
	if _, err := r.Resolve(tgt, &Spec{Hook: preempt.Entry}); err != nil {
		t.Fatal(err)
	}
	v, err := scope.EvalExpression(asyncPreemptOffVar, proc.LoadConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if off, _ := constant.Int64Val(v.Value); off != 0 || len(got.ids) != 1 || got.ids[0] != "AP-CORRECT-REENABLED" {
		t.Fatalf("after resolving preempt:entry: %s = %d, notices %v; want 0 and AP-CORRECT-REENABLED", asyncPreemptOffVar, off, got.ids)
	}
	if ev := got.all[0].Evidence[0]; ev.Source != asyncPreemptSource || ev.Fact != "was 1, set to 0" {
		t.Errorf("AP-CORRECT-REENABLED evidence %+v, want %s was 1, set to 0", ev, asyncPreemptSource)
	}
	if _, err := r.Resolve(tgt, &Spec{Hook: preempt.Entry}); err != nil || len(got.ids) != 1 {
		t.Errorf("second resolution: %v, notices %v; want no new notice", err, got.ids)
	}
}

// BenchmarkResolveHook measures resolving each hook in a large binary (dlvx
// itself, about 25 MB) once its BinaryInfo is loaded: cold with a new
// Resolver (ELF symbols read and runtime code decoded), warm from cache.
func BenchmarkResolveHook(b *testing.B) {
	exe := filepath.Join(b.TempDir(), "dlvx")
	if out, err := exec.Command("go", "build", "-o", exe, "github.com/dlvx/dlvx/cmd/dlvx").CombinedOutput(); err != nil {
		b.Fatalf("build dlvx: %v\n%s", err, out)
	}
	f, err := elf.Open(exe)
	if err != nil {
		b.Fatal(err)
	}
	entry := f.Entry
	f.Close()
	bi := proc.NewBinaryInfo("linux", runtime.GOARCH, false)
	if err := bi.LoadBinaryInfo(exe, entry, nil); err != nil {
		b.Fatal(err)
	}
	for _, h := range preempt.Hooks() {
		b.Run(h.String()+"/cold", func(b *testing.B) {
			for b.Loop() {
				if _, err := (&Resolver{}).ResolveHook(bi, h); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(h.String()+"/warm", func(b *testing.B) {
			r := &Resolver{}
			for b.Loop() {
				if _, err := r.ResolveHook(bi, h); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Stripped with -s, the binary has no ELF symbols to tell a body from its
// ABI0 wrapper: the wrapper is the one that jumps to the other.
func TestResolveStrippedLive(t *testing.T) {
	tgt := launch(t, fixtures.Build(t, "spin", fixtures.Stripped))
	got := notices{t: t}
	r := &Resolver{Notify: got.add}
	park, err := r.Resolve(tgt, &Spec{Hook: preempt.Park})
	if err != nil {
		t.Fatal(err)
	}
	body, err := r.Resolve(tgt, &Spec{Symbol: "runtime.asyncPreempt2"})
	if err != nil || tgt.BinInfo().PCToFunc(park[0]).Entry != body[0] {
		t.Fatalf("runtime.asyncPreempt2+0 = %#x, %v; want the function holding preempt:park %#x", body, err, park)
	}
	if !slices.Contains(got.ids, "BP-FUNCNAME-ABI0") {
		t.Errorf("notices %v, want BP-FUNCNAME-ABI0", got.ids)
	}
}
