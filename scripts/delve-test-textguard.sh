#!/bin/sh
# Runs Delve's own suites for the packages patch 0011 touches (pkg/proc,
# service/test) with dlvx's breakpoint text guard installed, as dlvx
# installs it: breakpoint instructions only while a process runs, a
# journal, a guardian. Delve's tests do not install the hooks, so this
# copies the generated tree to a scratch directory (.cache/delve-textguard,
# which make does not manage), adds package textguard and
# scripts/delvehooks/hooks.go.in there, imports them from one test file per
# package, and runs the suites verbosely into .cache/delve-textguard.log
# (a passing package's output, where the hooks report, is shown by go test
# only with -v). It prints each package's result, every failed test and
# every "dlvx-hooks:" line: "DIRTY" (a breakpoint instruction seen at a
# stop, which fails the run), "warning", a guardian's report.
#
# Usage: scripts/delve-test-textguard.sh [go test flags...]
#   (from the repository root, after make delve; default packages
#   ./pkg/proc ./service/test; DLVX_HOOKS=off runs the same tree without
#   the hooks, to tell a failure of the hooks from one of Delve's)
set -eu
cd "$(dirname "$0")/.."
[ -d third_party/delve ] || { echo "delve-test-textguard: run make delve first" >&2; exit 2; }

scratch=.cache/delve-textguard
rm -rf "$scratch"
mkdir -p .cache
cp -r third_party/delve "$scratch"
chmod -R u+w "$scratch"
mkdir -p "$scratch/dlvxtest/textguard" "$scratch/dlvxtest/hooks"
for f in textguard/*.go; do
	case $f in *_test.go) continue ;; esac
	cp "$f" "$scratch/dlvxtest/textguard/"
done
cp scripts/delvehooks/hooks.go.in "$scratch/dlvxtest/hooks/hooks.go"
printf 'package proc_test\n\nimport _ "github.com/go-delve/delve/dlvxtest/hooks"\n' >"$scratch/pkg/proc/zz_dlvxhooks_test.go"
printf 'package service_test\n\nimport _ "github.com/go-delve/delve/dlvxtest/hooks"\n' >"$scratch/service/test/zz_dlvxhooks_test.go"

# Journals of the guarded test processes stay in the scratch directory.
export XDG_RUNTIME_DIR="$PWD/$scratch/run"
mkdir -p "$XDG_RUNTIME_DIR"
cd "$scratch"
if [ $# -eq 0 ]; then
	set -- ./pkg/proc ./service/test
fi
log=../delve-textguard.log
rc=0
nice -n 10 go test -count=1 -p 1 -timeout 60m -v "$@" >"$log" 2>&1 || rc=$?
grep -E '^(ok|FAIL|panic:)|^[[:space:]]*--- FAIL|dlvx-hooks:' "$log" || true
dirty=$(grep -c 'dlvx-hooks: DIRTY' "$log" || true)
echo "delve-test-textguard: go test exit $rc, $dirty DIRTY stop(s), $(grep -c 'dlvx-hooks: warning' "$log" || true) warning(s); log .cache/delve-textguard.log"
[ "$rc" -eq 0 ] && [ "$dirty" -eq 0 ]
