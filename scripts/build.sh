#!/usr/bin/env bash
# Installs what building needs, then configures build/ (release, tests configured) and builds the
# edgecrew binary only: what the README's first command runs. scripts/test.sh builds the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# EDGECREW_CMAKE_ARGS: more configure options (scripts/test.sh passes -DEDGECREW_WERROR=ON).
# shellcheck disable=SC2086
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo ${EDGECREW_CMAKE_ARGS:-} >/dev/null
cmake --build build --target edgecrew
