#!/bin/sh
# Installs the host programs dlvx's tests drive, when they are missing, from
# Debian's packages: gdb (gcore, the "another tracer" cases), util-linux
# (setpriv, unshare), gcc and binutils (cgo fixtures, strip, objcopy), git
# (the stale-binary check), zstd (compressed cores), Node.js and npm (VS Code's DAP test client).
# A missing program the tests need fails them under CI with its reason
# (internal/fixtures/skips.go); this script is how a fresh machine gets it.
# Usage: scripts/setup-host.sh (needs root and apt-get only when something is missing).
set -eu

need=''
want() { command -v "$1" >/dev/null 2>&1 || need="$need $2"; }
want gdb gdb
want setpriv util-linux
want unshare util-linux
want gcc gcc
want strip binutils
want objcopy binutils
want git git
want zstd zstd
want node nodejs
want npm npm
[ -n "$need" ] || exit 0

pkgs=$(printf '%s\n' $need | sort -u | tr '\n' ' ')
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "setup-host: missing packages: $pkgs(install them with apt-get as root)" >&2
	exit 0
fi
echo "setup-host: installing $pkgs"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs
