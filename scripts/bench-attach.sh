#!/bin/sh
# bench-attach.sh measures what the attach preflight adds to `attach`:
# the median wall time of N attach-and-detach sessions with upstream dlv,
# with dlvx, and with dlvx --no-preflight, on the same running process.
#
# Usage: scripts/bench-attach.sh [N]   (from the repository root; needs
# bin/dlvx from `make build` and .cache/upstream/dlv from `make upstream-dlv`)
set -eu

n=${1:-15}
dlvx=${DLVX:-bin/dlvx}
dlv=${DLVX_UPSTREAM_DLV:-.cache/upstream/dlv}
for b in "$dlvx" "$dlv"; do
	[ -x "$b" ] || { echo "bench-attach: $b missing: run make build upstream-dlv" >&2; exit 2; }
done

tmp=$(mktemp -d)
target=
cleanup() {
	[ -n "$target" ] && kill "$target" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

(cd _fixtures/worker && GOWORK=off GOFLAGS=-buildvcs=false go build -gcflags='all=-N -l' -o "$tmp/worker" .)
"$tmp/worker" -n 100000000 -pause 10ms >/dev/null &
target=$!
echo "exit -d" >"$tmp/init"

# once_us runs one attach-and-detach session and prints its wall time in µs.
once_us() {
	start=$(date +%s%N)
	"$@" --init "$tmp/init" --allow-non-terminal-interactive=true </dev/null >/dev/null 2>&1
	end=$(date +%s%N)
	echo $(((end - start) / 1000))
}

# The three variants run interleaved, so load that changes during the
# run (a shared machine) weighs on all of them alike.
i=0
while [ "$i" -lt "$n" ]; do
	once_us "$dlv" attach "$target" >>"$tmp/dlv"
	once_us "$dlvx" attach "$target" >>"$tmp/dlvx"
	once_us "$dlvx" attach --no-preflight "$target" >>"$tmp/raw"
	i=$((i + 1))
done

# median_ms prints the median of a file of µs values in milliseconds.
median_ms() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f\n", m / 1000 }'
}

up=$(median_ms "$tmp/dlv")
x=$(median_ms "$tmp/dlvx")
raw=$(median_ms "$tmp/raw")
echo "attach+detach median of $n on a -N -l worker (ms): dlv $up, dlvx $x, dlvx --no-preflight $raw"
awk -v up="$up" -v x="$x" -v raw="$raw" 'BEGIN {
	printf "dlvx vs dlv: %+.1f%%; preflight vs --no-preflight: %+.1f%%\n", (x - up) * 100 / up, (x - raw) * 100 / raw
}'
echo "the preflight alone, in process: go test -run XXX -bench Preflight ./attachcheck"
