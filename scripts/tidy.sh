#!/usr/bin/env bash
# clang-tidy (.clang-tidy's checks) over every source file of src/, against build/'s compile
# commands; exits non-zero on any finding. scripts/test.sh runs it after the release build.
#   scripts/tidy.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
[ -f "$build/compile_commands.json" ] || { echo "tidy: no $build/compile_commands.json" >&2; exit 2; }
mapfile -t files < <(find src -name '*.cpp' | sort)
run-clang-tidy -quiet -p "$build" -j "$(nproc)" "${files[@]}" 2>/dev/null | grep -v '^clang-tidy' |
  grep -v 'warnings generated' | grep -v 'Suppressed [0-9]* warnings' |
  grep -v 'Use -header-filter' | grep -v '^$' | tee "$build/tidy.log" || true
if grep -q 'error:\|warning:' "$build/tidy.log"; then
  echo "tidy: findings above ($build/tidy.log)" >&2
  exit 1
fi
echo "tidy: ${#files[@]} files, no finding"
