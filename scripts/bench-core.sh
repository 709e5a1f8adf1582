#!/bin/sh
# bench-core.sh: wall time, CPU time and peak memory of `dlvx doctor --core`
# against `dlvx core BINARY CORE --init` with `exit` (load to the prompt) on
# the same core, printed as ratios in one run. No timed assertion.
#
# Goals (issue 14): doctor <= 0.2x the time and <= 0.3x the memory.
# Two programs: the crash fixture (the largest fixture core) and a large
# statically linked Go program, gopls (built once into .cache/bench
# through the module proxy, as bench-doctor.sh does), or dlvx's own binary
# when gopls cannot be built. "coreonly" runs the core checks with one
# cheap binary check, to tell the core checks' cost from the binary
# doctor's. The runs are interleaved (load, doctor, coreonly, load, ...)
# so that a change of load on the machine hits all three; each ratio is
# the median of the per-round ratios.
#
# Environment:
#   DLVX     dlvx binary (default bin/dlvx; `make build`)
#   BINARY   one program to crash instead of the two; it runs with ARGS
#            and must keep running until SIGABRT
#   ARGS     its arguments (default none)
#   RUNS     rounds per program (default 5)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
DLVX=${DLVX:-$root/bin/dlvx}
RUNS=${RUNS:-5}
GOPLS_VERSION=v0.23.0
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
printf 'exit\n' > "$tmp/init"

# crash DIR BINARY ARGS...: run BINARY in DIR with GOTRACEBACK=crash and no
# core size limit (for the child only), stdin open so that servers keep
# running; abort it once the runtime has started its threads; set core to
# the core's path.
crash() {
	dir=$1
	bin=$2
	shift 2
	mkdir -p "$dir"
	mkfifo "$dir/stdin"
	(cd "$dir" && ulimit -c unlimited && GOTRACEBACK=crash exec "$bin" "$@" < "$dir/stdin" > /dev/null 2>&1) &
	pid=$!
	exec 3> "$dir/stdin"
	i=0
	while [ "$i" -lt 100 ] && [ "$(awk '/^Threads:/ { print $2 }' /proc/$pid/status 2>/dev/null || echo 0)" -lt 3 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -ABRT "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
	exec 3>&-
	core=$(ls "$dir"/core* | head -n 1)
}

# one NAME CMD...: run CMD once, append "NAME wall-s KiB cpu-s" to $tmp/samples.
one() {
	name=$1
	shift
	/usr/bin/time -f '%e %M %U %S' -o "$tmp/one" "$@" > /dev/null 2>&1 < /dev/null || true
	echo "$name $(tail -n 1 "$tmp/one")" >> "$tmp/samples"
}

# bench BINARY CORE: RUNS interleaved rounds, then medians and ratios.
bench() {
	bin=$1
	core=$2
	echo "binary: $bin ($(( $(wc -c < "$bin") / 1048576 )) MiB); core: $(( $(wc -c < "$core") / 1048576 )) MiB, $(( $(du -k "$core" | cut -f1) / 1024 )) MiB on disk; $RUNS interleaved rounds, medians"
	: > "$tmp/samples"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		one load "$DLVX" core "$bin" "$core" --init "$tmp/init" --allow-non-terminal-interactive=true
		one doctor "$DLVX" doctor --core "$core" "$bin"
		one coreonly "$DLVX" doctor --core "$core" "$bin" --only elf-headers
		i=$((i + 1))
	done
	awk '
		function median(a, n,    i, j, t) {
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		{ k = ++n[$1]; t[$1, k] = $2; m[$1, k] = $3; c[$1, k] = $4 + $5 }
		END {
			split("load doctor coreonly", names, " ")
			for (x = 1; x <= 3; x++) {
				s = names[x]
				for (k = 1; k <= n[s]; k++) { tt[k] = t[s, k]; mm[k] = m[s, k]; cc[k] = c[s, k] }
				printf "%-8s %6.2f s wall %6.2f s cpu %8.1f MiB peak\n", s, median(tt, n[s]), median(cc, n[s]), median(mm, n[s]) / 1024
			}
			for (x = 2; x <= 3; x++) {
				s = names[x]
				r = 0
				for (k = 1; k <= n[s]; k++) {
					if (t["load", k] <= 0 || m["load", k] <= 0 || c["load", k] <= 0) continue
					r++; rt[r] = t[s, k] / t["load", k]; rc[r] = c[s, k] / c["load", k]; rm[r] = m[s, k] / m["load", k]
				}
				if (r > 0)
					printf "ratio %s/load: time %.2fx (cpu %.2fx), memory %.2fx%s\n", s, median(rt, r), median(rc, r), median(rm, r), s == "doctor" ? " (goals 0.2x, 0.3x)" : ""
			}
		}' "$tmp/samples"
}

uptime
if [ -n "${BINARY:-}" ]; then
	# shellcheck disable=SC2086 # ARGS is a word list
	crash "$tmp/one-program" "$BINARY" ${ARGS:-}
	bench "$BINARY" "$core"
	exit 0
fi

fixture=$tmp/crash
(cd "$root/_fixtures/crash" && GOWORK=off GOFLAGS=-buildvcs=false go build -o "$fixture" .)
crash "$tmp/fixture" "$fixture"
bench "$fixture" "$core"
echo

big=$root/.cache/bench/gopls
set -- # gopls serves LSP on stdin by default
if [ ! -x "$big" ]; then
	echo "building gopls@$GOPLS_VERSION into $root/.cache/bench (once)" >&2
	if ! (cd /tmp && GOBIN=$root/.cache/bench GOFLAGS=-buildvcs=false go install "golang.org/x/tools/gopls@$GOPLS_VERSION") >&2; then
		echo "bench-core: gopls could not be built: using dlvx's own binary as the large program" >&2
		big=$DLVX
		set -- dap --listen 127.0.0.1:0
	fi
fi
crash "$tmp/large" "$big" "$@"
bench "$big" "$core"
uptime
