#!/bin/sh
# Demo: what dlvx adds to Delve, in under a minute.
#   1. the doctor on a release build (-trimpath, optimized): why a breakpoint
#      will not bind, with the evidence and the fix;
#   2. the fix applied: the doctor is clean and the breakpoint binds;
#   3. a symbol+offset breakpoint (a bad offset is refused with its valid
#      neighbours) and a preempt:entry breakpoint whose stack shows the
#      preempted goroutine at its real line.
# Usage: scripts/demo.sh path/to/dlvx
set -eu
dlvx=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Terminal colours and Delve's source listings make a log hard to read.
plain() { sed -e 's/\x1b\[[0-9;]*m//g' -e '/^ *\(=>\)\? *[0-9]*:\t/d'; }
step() { printf '\n== %s\n' "$*"; }
show() { printf '$ %s\n' "$*"; }

cp -r "$root/_fixtures/worker" "$work/worker"
cp -r "$root/_fixtures/spin" "$work/spin"
cd "$work"
line=$(grep -n 'dlvx:mark work-body' worker/main.go | cut -d: -f1)

step "a release build: go build -trimpath (optimized, module-relative paths)"
(cd worker && go build -trimpath -o ../app-release .)
show "dlvx doctor ./app-release --source worker --break main.go:$line"
"$dlvx" doctor ./app-release --source worker --break "main.go:$line" || echo "(exit status $?)"

step "the doctor's fix applied: go build '-gcflags=all=-N -l'"
(cd worker && go build '-gcflags=all=-N -l' -o ../app .)
show "dlvx doctor ./app --source worker --break main.go:$line"
"$dlvx" doctor ./app --source worker --break "main.go:$line"

# Offsets of main.work's instructions, from the Go toolchain's own disassembler.
fn_start=$(go tool objdump -s '^main.work$' app | awk 'NR==2 {print $2}')
good_pc=$(go tool objdump -s '^main.work$' app | awk -v l="main.go:$line" '$1==l {print $2; exit}')
good=$(printf '0x%x' $((good_pc - fn_start)))
bad=$(printf '0x%x' $((good_pc - fn_start + 1)))

step "symbol+offset breakpoints: $bad falls inside an instruction, $good is the first of line $line"
cat >offset.dlv <<SCRIPT
break main.work+$bad
break main.work+$good
continue
print i
exit
SCRIPT
sed 's/^/   /' offset.dlv
"$dlvx" exec ./app --init offset.dlv --allow-non-terminal-interactive=true -- -n 2 </dev/null 2>&1 | plain

step "preempt:entry: stop where the runtime asynchronously preempts a goroutine"
(cd spin && go build -o ../spin-app .)
cat >preempt.dlv <<SCRIPT
break preempt:entry
continue
stack 2
exit
SCRIPT
sed 's/^/   /' preempt.dlv
"$dlvx" exec ./spin-app --init preempt.dlv --allow-non-terminal-interactive=true -- -for 30s </dev/null 2>&1 | plain
echo
echo "Frame 1 is the preempted goroutine at the line it was running (Delve computes it from PC-1"
echo "and shows the wrong line for about half of these stops; dlvx treats asyncPreempt as an"
echo "injected call, as the Go runtime does)."
step "demo finished"
