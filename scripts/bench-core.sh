#!/bin/sh
# bench-core.sh: wall time, CPU time and peak memory of `dlvx doctor --core`
# against `dlvx core BINARY CORE --init` with `exit` (load to the prompt) on
# the same core, printed as ratios in one run. No timed assertion.
#
# Goals (issue 14): doctor <= 0.2x the time and <= 0.3x the memory.
# "coreonly" runs the core checks with one cheap binary check, to tell the
# core checks' cost from the binary doctor's.
#
# Environment:
#   DLVX    dlvx binary (default bin/dlvx; `make build`)
#   BINARY  the program to crash (default: the crash fixture, built here);
#           it runs with ARGS and must keep running until SIGABRT
#   ARGS    its arguments (default none)
#   RUNS    runs per measurement; the median is printed (default 3)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
DLVX=${DLVX:-$root/bin/dlvx}
RUNS=${RUNS:-3}
[ -x "$DLVX" ] || { echo "bench-core: $DLVX is missing: run make build" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench-core: needs GNU time at /usr/bin/time" >&2; exit 2; }
case $(cat /proc/sys/kernel/core_pattern) in
'|'* | */*) echo "bench-core: kernel.core_pattern does not write ./core" >&2; exit 2 ;;
esac

tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

if [ -z "${BINARY:-}" ]; then
	BINARY=$tmp/crash
	(cd "$root/_fixtures/crash" && GOWORK=off GOFLAGS=-buildvcs=false go build -o "$BINARY" .)
fi

# Crash BINARY in $tmp with GOTRACEBACK=crash and no core size limit (for
# the child only); stdin stays open so that servers keep running.
mkfifo "$tmp/stdin"
(cd "$tmp" && ulimit -c unlimited && GOTRACEBACK=crash exec "$BINARY" ${ARGS:-} < "$tmp/stdin" > /dev/null 2>&1) &
pid=$!
exec 3> "$tmp/stdin"
# Wait (bounded) until the runtime has started its threads.
i=0
while [ "$i" -lt 100 ] && [ "$(awk '/^Threads:/ { print $2 }' /proc/$pid/status 2>/dev/null || echo 0)" -lt 3 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -ABRT "$pid"
wait "$pid" 2>/dev/null || true
pid=
exec 3>&-
core=$(ls "$tmp"/core* | head -n 1)
printf 'exit\n' > "$tmp/init"

# measure NAME CMD...: run CMD $RUNS times, print "NAME wall-s KiB cpu-s" (medians).
measure() {
	name=$1
	shift
	: > "$tmp/samples"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		/usr/bin/time -f '%e %M %U %S' -o "$tmp/one" "$@" > /dev/null 2>&1 < /dev/null || true
		tail -n 1 "$tmp/one" >> "$tmp/samples"
		i=$((i + 1))
	done
	t=$(cut -d' ' -f1 "$tmp/samples" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
	m=$(cut -d' ' -f2 "$tmp/samples" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
	c=$(awk '{ print $3 + $4 }' "$tmp/samples" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
	echo "$name $t $m $c"
}

echo "binary: $BINARY ($(( $(wc -c < "$BINARY") / 1048576 )) MiB); core: $(( $(wc -c < "$core") / 1048576 )) MiB, $(( $(du -k "$core" | cut -f1) / 1024 )) MiB on disk; $RUNS runs, medians"
{
	measure load "$DLVX" core "$BINARY" "$core" --init "$tmp/init" --allow-non-terminal-interactive=true
	measure doctor "$DLVX" doctor --core "$core" "$BINARY"
	# The core checks with the cheapest binary check: what the core adds
	# to the binary doctor's own cost (bench-doctor.sh measures that).
	measure coreonly "$DLVX" doctor --core "$core" "$BINARY" --only elf-headers
} > "$tmp/results"
awk '
	{ t[$1] = $2; m[$1] = $3; c[$1] = $4; printf "%-8s %6.2f s wall %6.2f s cpu %8d KiB peak\n", $1, $2, $4, $3 }
	END {
		if (t["load"] > 0 && m["load"] > 0 && c["load"] > 0)
			printf "ratio doctor/load: time %.2fx (cpu %.2fx), memory %.2fx (goals 0.2x, 0.3x)\n", t["doctor"] / t["load"], c["doctor"] / c["load"], m["doctor"] / m["load"]
		if (t["load"] > 0 && m["load"] > 0 && c["load"] > 0)
			printf "ratio coreonly/load: time %.2fx (cpu %.2fx), memory %.2fx\n", t["coreonly"] / t["load"], c["coreonly"] / c["load"], m["coreonly"] / m["load"]
	}' "$tmp/results"
