#!/bin/sh
# Prepares podman for the real-container tests (internal/podman): installs
# Debian's podman and runc when missing, and writes a private configuration
# under the repository's .cache/podman, never the host's /etc files:
#
#   containers.conf  runc as the runtime (crun 1.8 refuses hybrid cgroup
#                    layouts), cgroupfs, rlimits low enough to be set
#                    without CAP_SYS_RESOURCE, file event log
#   storage.conf     vfs storage under .cache/podman/storage
#
# Tests find these files by themselves (internal/podman); make exports
# CONTAINERS_CONF and CONTAINERS_STORAGE_CONF as well. Without podman, and
# when it cannot be installed, this script says why and exits 0: the tests
# then skip, or fail under CI (CI=true) with the same reason.
# Usage: scripts/setup-podman.sh (from anywhere).
set -eu
cd "$(dirname "$0")/.."
dir="$PWD/.cache/podman"
mkdir -p "$dir"

need=''
command -v podman >/dev/null 2>&1 || need="$need podman"
command -v runc >/dev/null 2>&1 || need="$need runc"
if [ -n "$need" ]; then
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		echo "setup-podman: missing:$need (install them as root with apt-get install$need)" >&2
		exit 0
	fi
	echo "setup-podman: installing$need"
	if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need; } >"$dir/install.log" 2>&1; then
		echo "setup-podman: apt-get install$need failed; see .cache/podman/install.log" >&2
		exit 0
	fi
fi

mkdir -p "$dir/storage" "$dir/run" "$dir/tmp"
cat >"$dir/containers.conf" <<EOF
# Written by scripts/setup-podman.sh for dlvx's tests; edits are overwritten.
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$dir/run/events.log"
tmp_dir = "$dir/tmp"
EOF
cat >"$dir/storage.conf" <<EOF
# Written by scripts/setup-podman.sh for dlvx's tests; edits are overwritten.
[storage]
driver = "vfs"
graphroot = "$dir/storage"
runroot = "$dir/run"
EOF
echo "setup-podman: $(podman --version), $(runc --version | head -n 1); configuration in .cache/podman"
