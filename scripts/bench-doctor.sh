#!/bin/sh
# bench-doctor.sh: wall time and peak memory of `dlvx doctor` against
# upstream `dlv exec` loading the same large binary to its first prompt.
#
# Goals (issue 4): doctor <= 0.2x dlv's time and <= 0.4x its memory;
# doctor --break on one location <= 1.0x dlv's load time.
#
# Environment:
#   DLVX      dlvx binary             (default bin/dlvx; `make build`)
#   UPSTREAM  upstream dlv binary     (default .cache/upstream/dlv; `make upstream-dlv`)
#   BINARY    the binary to examine   (default: gopls v0.23.0, > 30 MB with DWARF,
#                                      built once into .cache/bench through the module proxy)
#   RUNS      runs per measurement; the median is printed (default 3)
#   BREAK     the --break location    (default main.main)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
DLVX=${DLVX:-$root/bin/dlvx}
UPSTREAM=${UPSTREAM:-$root/.cache/upstream/dlv}
RUNS=${RUNS:-3}
BREAK=${BREAK:-main.main}
GOPLS_VERSION=v0.23.0

if [ -z "${BINARY:-}" ]; then
	BINARY=$root/.cache/bench/gopls
	if [ ! -x "$BINARY" ]; then
		echo "building gopls@$GOPLS_VERSION into $root/.cache/bench (once)" >&2
		(cd /tmp && GOBIN=$root/.cache/bench GOFLAGS=-buildvcs=false go install "golang.org/x/tools/gopls@$GOPLS_VERSION")
	fi
fi
for f in "$DLVX" "$UPSTREAM" "$BINARY"; do
	[ -x "$f" ] || { echo "bench-doctor: $f is missing or not executable" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "bench-doctor: needs GNU time at /usr/bin/time" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'exit\n' > "$tmp/init"

# measure NAME CMD...: run CMD $RUNS times, print "NAME wall-s KiB cpu-s" (medians).
# CPU time (user + system) is printed too: on a shared machine wall time
# also measures the neighbours.
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

size=$(wc -c < "$BINARY")
echo "binary: $BINARY ($((size / 1048576)) MiB), $RUNS runs each, medians"
measure dlv-exec "$UPSTREAM" exec --allow-non-terminal-interactive=true --init "$tmp/init" "$BINARY" > "$tmp/dlv"
measure doctor "$DLVX" doctor "$BINARY" > "$tmp/doc"
measure doctor-break "$DLVX" doctor "$BINARY" --break "$BREAK" > "$tmp/brk"

awk -v goal_t=0.2 -v goal_m=0.4 -v goal_b=1.0 '
	FNR == 1 { t[$1] = $2; m[$1] = $3; c[$1] = $4 }
	END {
		printf "%-14s %8s %8s %10s %8s %8s\n", "", "wall s", "cpu s", "peak MiB", "x time", "x mem"
		split("dlv-exec doctor doctor-break", order, " ")
		for (i = 1; i <= 3; i++) {
			n = order[i]
			printf "%-14s %8.2f %8.2f %10.1f %8.2f %8.2f\n", n, t[n], c[n], m[n] / 1024, t[n] / t["dlv-exec"], m[n] / m["dlv-exec"]
		}
		ok = (t["doctor"] <= goal_t * t["dlv-exec"]) && (m["doctor"] <= goal_m * m["dlv-exec"]) && (t["doctor-break"] <= goal_b * t["dlv-exec"])
		printf "goals: doctor <= %.1fx time and <= %.1fx memory, --break <= %.1fx time: %s\n", goal_t, goal_m, goal_b, ok ? "met" : "NOT met"
	}' "$tmp/dlv" "$tmp/doc" "$tmp/brk"
