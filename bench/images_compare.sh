#!/usr/bin/env bash
# edgecrew images / images sync against what a user runs instead, in one run, with a private
# containerd 1.6 CRI that the driver starts and stops (as the tests do). Prints a Markdown table.
#   bench/images_compare.sh [N] [ROUNDS]     (default 10 images, best of 3; run as root)
# BUILD_DIR picks the build (default ./build); the script builds the targets it needs there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${BUILD_DIR:-$root/build}" && pwd)"
[ -f "$build/build.ninja" ] || { echo "configure first: ./scripts/build.sh"; exit 1; }
ninja -C "$build" edgecrew images_compare >/dev/null
exec "$build/tests/images_compare" "$build/edgecrew" "${1:-10}" "${2:-3}"
