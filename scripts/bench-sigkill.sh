#!/bin/sh
# bench-sigkill.sh measures what dlvx's SIGKILL safety costs on an
# attached process (breakpoint instructions written at each resume and
# removed at each stop, a journal, a guardian) against upstream dlv, in one
# run, interleaved, and prints medians and ratios dlvx/upstream (of times:
# above 1 is slower):
#   - stop+resume at an unconditional breakpoint hit in a loop, with 1, 10
#     and 100 breakpoints set (BenchmarkStopResume; budget 1.05 for 1);
#   - the filtered preempt:entry@gN rate, as time per filtered stop
#     (BenchmarkAttachedPreemptFiltered; budget 1.05);
#     both paired stop by stop (a dlvx stop, a dlv stop, alternating), the
#     ratio the median of the rounds' ratios of median stop times;
#   - attach time: attach and detach, and attach, break, continue to the hit
#     (which starts dlvx's guardian) and detach (budget 1.10);
#   - the window from SIGKILL of dlvx to the restored text, polled every
#     100µs (BenchmarkDeathToRestore, dlvx only: upstream never restores);
#   - the guard's hooks alone, in process (BenchmarkGuardHooks).
# It never asserts a time.
#
# Usage: scripts/bench-sigkill.sh [ROUNDS]   (from the repository root;
# needs bin/dlvx from `make build` and .cache/upstream/dlv from
# `make upstream-dlv`; DLVX_UPSTREAM_DLV names another dlv)
set -eu

rounds=${1:-5}
dlvx=${DLVX:-$PWD/bin/dlvx}
dlv=${DLVX_UPSTREAM_DLV:-$PWD/.cache/upstream/dlv}
for b in "$dlvx" "$dlv"; do
	[ -x "$b" ] || { echo "bench-sigkill: $b missing: run make build upstream-dlv" >&2; exit 2; }
done
export DLVX_UPSTREAM_DLV="$dlv"

tmp=$(mktemp -d)
target=
cleanup() {
	[ -n "$target" ] && kill "$target" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

go test -c -o "$tmp/cmd.test" ./cmd/dlvx
go test -c -o "$tmp/textguard.test" ./textguard
(cd _fixtures/worker && GOWORK=off GOFLAGS=-buildvcs=false go build -gcflags='all=-N -l' -o "$tmp/worker" .)

# bench runs one test binary's benchmarks and appends its result lines.
bench() {
	bin=$1
	shift
	(cd "$pkgdir" && "$bin" -test.run '^$' "$@") | grep '^Benchmark' >>"$tmp/results" || true
}

# attach_us runs one attach session with the init script $2 and prints
# its wall time in µs.
attach_us() {
	start=$(date +%s%N)
	"$1" attach "$target" --init "$2" --allow-non-terminal-interactive=true </dev/null >/dev/null 2>&1
	end=$(date +%s%N)
	echo $(((end - start) / 1000))
}

"$tmp/worker" -n 1000000000 -pause 1ms >/dev/null &
target=$!
printf 'exit -d\n' >"$tmp/detach"
printf 'break main.work\ncontinue\nexit -d\n' >"$tmp/hit"

# A first, discarded round: the first debugger session of a run is slower
# (cold page cache, first builds of the fixtures).
(cd cmd/dlvx && "$tmp/cmd.test" -test.run '^$' -test.bench 'StopResume/bps=1$' -test.benchtime 20x >/dev/null 2>&1) || true
attach_us "$dlv" "$tmp/hit" >/dev/null
attach_us "$dlvx" "$tmp/hit" >/dev/null

i=0
while [ "$i" -lt "$rounds" ]; do
	i=$((i + 1))
	echo "bench-sigkill: round $i of $rounds" >&2
	pkgdir=cmd/dlvx
	bench "$tmp/cmd.test" -test.bench 'StopResume|AttachedPreemptFiltered' -test.benchtime 200x
	bench "$tmp/cmd.test" -test.bench 'DeathToRestore' -test.benchtime 5x
	pkgdir=textguard
	bench "$tmp/textguard.test" -test.bench 'GuardHooks' -test.benchtime 1000x
	for s in detach hit; do
		attach_us "$dlv" "$tmp/$s" >>"$tmp/attach-$s-dlv"
		attach_us "$dlvx" "$tmp/$s" >>"$tmp/attach-$s-dlvx"
		attach_us "$dlv" "$tmp/$s" >>"$tmp/attach-$s-dlv"
		attach_us "$dlvx" "$tmp/$s" >>"$tmp/attach-$s-dlvx"
	done
done

# median prints the median of the numbers on standard input.
median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m }'
}

# metric NAME UNIT prints the median of the values with unit UNIT on the
# result lines of benchmark NAME (up to its -GOMAXPROCS suffix).
metric() {
	awk -v name="$1" -v unit="$2" '{
		n = $1; sub(/-[0-9]+$/, "", n)
		if (n != name) next
		for (i = 3; i < NF; i++) if ($(i + 1) == unit) print $i
	}' "$tmp/results" | median
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "nan" }'; }

echo
echo "median of $rounds rounds; ratio = dlvx / upstream dlv (of times: above 1 is slower)"
# paired NAME WHAT prints a paired benchmark's medians and ratio.
paired() {
	printf '%s dlv %s µs, dlvx %s µs, ratio %s\n' "$2" "$(metric "$1" dlv-µs/stop)" "$(metric "$1" dlvx-µs/stop)" "$(metric "$1" dlvx/dlv)"
}
for n in 1 10 100; do
	paired "BenchmarkStopResume/bps=$n" "$(printf 'stop+resume, %3d breakpoint(s): ' "$n")"
done
paired BenchmarkAttachedPreemptFiltered 'preempt:entry@gN filtered stop: '
for s in detach hit; do
	up=$(median <"$tmp/attach-$s-dlv")
	x=$(median <"$tmp/attach-$s-dlvx")
	case $s in
	detach) what='attach+detach:                 ' ;;
	hit) what='attach+continue to hit+detach: ' ;;
	esac
	printf '%s dlv %.1f ms, dlvx %.1f ms, ratio %s\n' "$what" "$(ratio "$up" 1000)" "$(ratio "$x" 1000)" "$(ratio "$x" "$up")"
done
printf 'SIGKILL of dlvx to restored text: median %s µs (dlvx reaped after %s µs; the guardian'"'"'s own window %s µs)\n' \
	"$(metric BenchmarkDeathToRestore death-to-restore-µs)" "$(metric BenchmarkDeathToRestore reaped-µs)" "$(metric BenchmarkDeathToRestore guardian-µs)"
for n in 1 10 100; do
	sp=$(metric "BenchmarkGuardHooks/bps=$n/spans" ns/op)
	pe=$(metric "BenchmarkGuardHooks/bps=$n/per-entry" ns/op)
	printf 'guard hooks in process, %3d bp(s): %.1f µs per stop+resume in %s writes (%.1f µs in %s, one write per entry)\n' "$n" \
		"$(ratio "$sp" 1000)" "$(metric "BenchmarkGuardHooks/bps=$n/spans" writes/op)" \
		"$(ratio "$pe" 1000)" "$(metric "BenchmarkGuardHooks/bps=$n/per-entry" writes/op)"
done
