package textguard

import (
	"fmt"
	"regexp"
	"sort"
	"testing"

	"github.com/go-delve/delve/pkg/proc"
)

// BenchmarkGuardHooks measures what the guard adds to one stop and resume
// of an attached process with 1, 10 and 100 user breakpoints (plus
// Delve's own for unrecovered panics and fatal throws): the Resuming and
// Stopped hooks called directly on the stopped process, against the same
// writes made one entry at a time (two per breakpoint, what the guard did
// before it wrote spans). It reports the writes per stop and resume.
func BenchmarkGuardHooks(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		r := newRig(b, slowWorker...)
		r.breakAt("main.work", "")
		for _, fn := range someFunctions(b, r.p, n-1) {
			r.breakAt(fn, "")
		}
		h := r.g.Hooks()
		if err := h.Resuming(r.grp); err != nil { // makes the plan
			b.Fatal(err)
		}
		h.Stopped(r.grp)
		s := r.session()
		entries := softwareEntries(r.p)
		b.Run(fmt.Sprintf("bps=%d/spans", n), func(b *testing.B) {
			for b.Loop() {
				if err := h.Resuming(r.grp); err != nil {
					b.Fatal(err)
				}
				h.Stopped(r.grp)
			}
			b.ReportMetric(float64(2*len(s.plan.spans)), "writes/op")
		})
		b.Run(fmt.Sprintf("bps=%d/per-entry", n), func(b *testing.B) {
			for b.Loop() {
				for _, e := range entries {
					s.text.Write(e.Instr, e.Addr)
				}
				for _, e := range entries {
					s.text.Write(e.Original, e.Addr)
				}
			}
			b.ReportMetric(float64(2*len(entries)), "writes/op")
		})
		r.checkClean(fmt.Sprintf("after %d breakpoints", n))
	}
}

// someFunctions returns n functions of the packages BenchmarkStopResume
// puts its idle breakpoints in, by name.
func someFunctions(b *testing.B, p *proc.Target, n int) []string {
	re := regexp.MustCompile(`^(strconv|fmt|flag|sort|unicode/utf8)\.`)
	var names []string
	for _, fn := range p.BinInfo().Functions {
		if re.MatchString(fn.Name) && fn.Entry != 0 {
			names = append(names, fn.Name)
		}
	}
	sort.Strings(names)
	var out []string
	for _, name := range names {
		if len(out) == n {
			break
		}
		if addrs, err := proc.FindFunctionLocation(p, name, 0); err == nil && len(addrs) == 1 {
			out = append(out, name)
		}
	}
	if len(out) < n {
		b.Fatalf("%d functions, want %d", len(out), n)
	}
	return out
}
