#!/bin/sh
# bench-preempt.sh compares the hit rate of a goroutine-filtered breakpoint
# at the async-preemption entry: dlvx's preempt:entry@gN against upstream
# dlv's runtime.asyncPreempt with the condition runtime.curg.goid == N, on
# the spin fixture (two CPU-bound goroutines). It prints hits per second of
# each run, the means and the ratio dlvx/upstream, then how long resolving
# each preempt: hook takes in the 25 MB dlvx binary.
#
# Usage: scripts/bench-preempt.sh [COUNT]   (from the repository root; needs
# .cache/upstream/dlv from `make upstream-dlv`; the benchmark builds dlvx)
set -eu

count=${1:-3}
dlv=${DLVX_UPSTREAM_DLV:-$PWD/.cache/upstream/dlv}
[ -x "$dlv" ] || { echo "bench-preempt: $dlv missing: run make upstream-dlv" >&2; exit 2; }

out=$(DLVX_UPSTREAM_DLV=$dlv go test -run '^$' -bench 'PreemptEntryFiltered' \
	-benchtime 3s -count "$count" ./cmd/dlvx)
echo "$out" | grep 'hits/s'
echo "$out" | awk '
	/^Benchmark.*PreemptEntryFiltered\/dlvx.*hits\/s/     { d += $(NF-1); nd++ }
	/^Benchmark.*PreemptEntryFiltered\/upstream.*hits\/s/ { u += $(NF-1); nu++ }
	END {
		if (nd == 0 || nu == 0) { print "bench-preempt: no results"; exit 1 }
		printf "mean hits/s: dlvx %.1f, upstream dlv %.1f; ratio dlvx/upstream %.2f\n", d/nd, u/nu, (d/nd)/(u/nu)
	}'

echo "hook resolution in the dlvx binary (cold: new resolver; warm: cached):"
go test -run '^$' -bench 'ResolveHook' -benchtime 20x ./resolver | awk '/^BenchmarkResolveHook/ { printf "  %-40s %8.2f ms\n", $1, $3/1e6 }'
