#!/bin/sh
# Demo: build the worker fixture without optimisation, run it under dlvx
# with a scripted session (a function and a file:line breakpoint, a stop,
# a stack, a local), and exit. Usage: scripts/demo.sh path/to/dlvx
set -eu
dlvx=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fixture="$root/_fixtures/worker"
(cd "$fixture" && go build -gcflags='all=-N -l' -o "$work/worker" .)
line=$(grep -n 'dlvx:mark loop-call' "$fixture/main.go" | cut -d: -f1)

cat >"$work/demo.dlv" <<SCRIPT
break main.go:$line
break main.work
continue
continue
stack
print i
frame 1 print total
SCRIPT

echo "== dlvx version"
"$dlvx" version
echo
echo "== dlvx exec worker --init demo.dlv  (script:)"
sed 's/^/   /' "$work/demo.dlv"
echo
cd "$work"
"$dlvx" exec ./worker --init demo.dlv --allow-non-terminal-interactive=true -- -n 3 </dev/null
echo
echo "== demo finished: dlvx stopped at both breakpoints and exited (stdin closed)"
