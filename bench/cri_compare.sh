#!/usr/bin/env bash
# edgecrew on the CRI against the bare RPC sequence, in one run, on a private containerd 1.6 CRI
# plugin that the driver starts and stops (as the tests do). Prints a Markdown table.
#   bench/cri_compare.sh [N] [ROUNDS]     (default 10 services, best of 3; run as root)
# BUILD_DIR picks the build (default ./build); the script builds the targets it needs there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${BUILD_DIR:-$root/build}" && pwd)"
[ -f "$build/build.ninja" ] || { echo "configure first: ./scripts/build.sh"; exit 1; }
ninja -C "$build" edgecrew cri_bare cri_compare >/dev/null
exec "$build/tests/cri_compare" "$build/edgecrew" "$build/tests/cri_bare" "${1:-10}" "${2:-3}"
