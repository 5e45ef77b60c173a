#!/bin/sh
# The Podman engine's tests once more as a non-root user (ctest label "rootless"): the private
# `podman system service` started as that user, host network, a published port >= 1024 on a
# project network, a named volume, bind mounts, exec, logs, userns_mode host/auto, and keep-id
# writing a file the user owns into a bind mount. Runs as root: it prepares the user's runtime
# dir and hands over to the user with runuser. scripts/setup.sh --test creates the user
# (edgecrew-rootless, with subuid/subgid ranges) and opens /dev/net/tun; see docs/ROOTLESS.md.
#
# usage: rootless.sh PODMAN_ENGINE_TESTS [USER]
set -eu
tests=$1
user=${2:-edgecrew-rootless}

fail() {
  echo "rootless: $*" >&2
  exit 1
}
[ "$(id -u)" = 0 ] || fail "run as root (it prepares $user's runtime dir), or run $tests as $user"
id "$user" >/dev/null 2>&1 || fail "no user $user: scripts/setup.sh --test creates it"
for file in /etc/subuid /etc/subgid; do
  grep -qs "^$user:" "$file" || fail "$user has no range in $file (useradd adds one)"
done
# The user must reach the test binary (and the edgecrew binary next to it) through every folder.
runuser -u "$user" -- test -x "$tests" || fail "$user cannot run $tests: make its folders o+rx"

uid=$(id -u "$user")
home=$(getent passwd "$user" | cut -d: -f6)
# A runtime dir of the user's own, mode 0700, as logind would make it: Podman keeps its rootless
# state (the pause process that holds the user namespace, the service's socket) there.
runtime_dir=$(mktemp -d /tmp/edgecrew-rootless-run-XXXXXX)
chown "$user": "$runtime_dir"
chmod 0700 "$runtime_dir"

finish() {
  # The pause process rootless Podman leaves to hold its user namespace: this run's only.
  pause_pid=$(cat "$runtime_dir/libpod/tmp/pause.pid" 2>/dev/null || true)
  [ -n "$pause_pid" ] && kill "$pause_pid" 2>/dev/null || true
  rm -rf "$runtime_dir"
}
trap finish EXIT

# What a rootless user runs: the service (started through the engine's discovery), network_mode
# host and the default bridge network with a published port, volumes, bind mounts, exec, logs,
# and the user namespace modes. The peer's containers.conf carries the default_ulimits that keep
# container starts under this host's nofile hard limit.
filter=$(printf '%s:' \
  PodmanEngineTest.PodmanEngineStartsAPrivateServiceAndStopsIt \
  PodmanEngineTest.PodmanEngineCreateStartListInspect \
  PodmanEngineTest.PodmanEngineExecReturnsOutputAndExitCode \
  PodmanEngineTest.PodmanEngineLogsWithTail \
  PodmanEngineTest.PodmanEngineNamedVolumeSurvivesTheContainer \
  PodmanEngineTest.PodmanEngineBridgeServiceJoinsTheProjectNetwork \
  PodmanEngineTest.PodmanEngineBindMountIsReadAndWritten \
  PodmanEngineTest.PodmanEngineUsernsHostAndAuto \
  PodmanEngineTest.PodmanEngineUsernsKeepIdWritesAFileOwnedByTheUser)

cd /tmp
runuser -u "$user" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$home" USER="$user" \
  LOGNAME="$user" XDG_RUNTIME_DIR="$runtime_dir" TMPDIR=/tmp \
  "$tests" --gtest_filter="${filter%:}" --gtest_brief=1
