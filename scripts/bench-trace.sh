#!/bin/sh
# bench-trace.sh measures both backends of dlvx trace against a CPU-bound
# program in one run, in two parts, each interleaved over ROUNDS rounds
# whose order rotates: the spin fixture (two spinning goroutines, -report)
# runs untraced, under `dlvx trace --ebpf LOCATION` and under
# `dlvx trace LOCATION` (ptrace).
#
#   preemption  LOCATION preempt:entry. Its event rate is the rate at which
#               the runtime preempts the program (sysmon asks a goroutine
#               that has run 10ms to yield; the collector's stack scans),
#               not a tracer's capacity: the figure to read here is the
#               traced program's throughput.
#   capacity    LOCATION main.spin+0 with -chunk 256: spin is called a few
#               million times a second untraced, so each backend delivers
#               as many events as it can; the event-rate ratio is the
#               tracers' capacity ratio.
#
# Each part prints its runs, then the means and the ratios: eBPF/ptrace
# event rate, and each traced throughput over the untraced one, by the
# wall clock and by the CPU time of the spinning threads (the figure that
# a shared, loaded machine disturbs least; a uprobe's handler is charged to
# the thread it interrupts, a ptrace stop is not). The load average is
# printed before and after.
#
# Usage: scripts/bench-trace.sh [ROUNDS] [SECONDS]   (from the repository
# root, as root or with CAP_BPF and CAP_PERFMON; `make bench-trace` builds
# dlvx first)
set -eu

rounds=${1:-3}
secs=${2:-5}
dlvx=${DLVX:-$PWD/bin/dlvx}
[ -x "$dlvx" ] || { echo "bench-trace: $dlvx missing: run make build" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
(cd _fixtures/spin && GOWORK=off GOFLAGS=-buildvcs=false go build -o "$tmp/spin" .)
spin="$tmp/spin"

# run MODE LOCATION ARGS: one run, one result line
# "MODE per_second per_cpu_second events events_per_s".
run() {
	case $1 in
	untraced) "$spin" $3 >"$tmp/out" 2>"$tmp/err" ;;
	ebpf) "$dlvx" trace --ebpf --exec "$spin" "$2" -- $3 >"$tmp/out" 2>"$tmp/err" ;;
	ptrace) "$dlvx" trace --exec "$spin" "$2" -- $3 >"$tmp/out" 2>"$tmp/err" ;;
	esac || { echo "bench-trace: $1 run failed:" >&2; cat "$tmp/err" >&2; exit 1; }
	report=$(grep '^report ' "$tmp/out") || { echo "bench-trace: $1: no report line" >&2; cat "$tmp/out" "$tmp/err" >&2; exit 1; }
	# The summary: "N events in Xs (R/s) on G goroutines".
	events=$(sed -n 's/^\([0-9]*\) events in [0-9.]*s (\([0-9.]*\)\/s).*/\1 \2/p' "$tmp/err")
	[ "$1" = untraced ] && events="0 0"
	[ -n "$events" ] || { echo "bench-trace: $1: no summary" >&2; cat "$tmp/err" >&2; exit 1; }
	echo "$report" | awk -v mode="$1" -v ev="$events" '{ print mode, $7, $11, ev }'
}

# part NAME LOCATION ARGS: the interleaved rounds of one part and its ratios.
part() {
	echo
	echo "$1: $2, spin $3"
	printf '%-6s %-9s %14s %16s %8s %10s\n' round mode "iter/s" "iter/cpu-s" events "events/s"
	: >"$tmp/results"
	r=1
	while [ "$r" -le "$rounds" ]; do
		case $((r % 3)) in
		1) order="untraced ebpf ptrace" ;;
		2) order="ebpf ptrace untraced" ;;
		0) order="ptrace untraced ebpf" ;;
		esac
		for mode in $order; do
			line=$(run "$mode" "$2" "$3")
			echo "$line" >>"$tmp/results"
			echo "$r $line" | awk '{ printf "%-6s %-9s %14.0f %16.0f %8d %10.1f\n", $1, $2, $3, $4, $5, $6 }'
		done
		r=$((r + 1))
	done
	summarize "$1"
}

summarize() {
	awk -v part="$1" '
	{ n[$1]++; w[$1] += $2; c[$1] += $3; e[$1] += $5 }
	END {
		for (m in n) { w[m] /= n[m]; c[m] /= n[m]; e[m] /= n[m] }
		printf "%s means (%d rounds)  iter/s %.3g untraced, %.3g eBPF, %.3g ptrace\n", part, n["untraced"], w["untraced"], w["ebpf"], w["ptrace"]
		printf "  iter/cpu-s %.3g untraced, %.3g eBPF, %.3g ptrace\n", c["untraced"], c["ebpf"], c["ptrace"]
		printf "  events/s %.1f eBPF, %.1f ptrace\n", e["ebpf"], e["ptrace"]
		printf "  ratio eBPF/ptrace event rate:           %.2f\n", e["ebpf"] / e["ptrace"]
		printf "  throughput traced/untraced, wall clock: eBPF %.3f, ptrace %.3f\n", w["ebpf"] / w["untraced"], w["ptrace"] / w["untraced"]
		printf "  throughput traced/untraced, CPU time:   eBPF %.3f, ptrace %.3f\n", c["ebpf"] / c["untraced"], c["ptrace"] / c["untraced"]
	}' "$tmp/results"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs); $rounds rounds of ${secs}s runs per part"
part preemption preempt:entry "-for ${secs}s -report"
part capacity main.spin+0 "-for ${secs}s -report -chunk 256"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
