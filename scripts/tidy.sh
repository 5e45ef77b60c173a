#!/usr/bin/env bash
# clang-tidy (.clang-tidy's checks) over the source files of src/ (all, or the ones named),
# against BUILD_DIR's compile commands; exits non-zero on any finding. Not part of scripts/test.sh:
# the whole of src/ takes about 14 minutes on 2 cores.
#   scripts/tidy.sh [BUILD_DIR [FILE...]]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
shift || true
[ -f "$build/compile_commands.json" ] || { echo "tidy: no $build/compile_commands.json" >&2; exit 2; }
if [ "$#" -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(find src -name '*.cpp' | sort)
fi
run-clang-tidy -quiet -p "$build" -j "$(nproc)" "${files[@]}" 2>/dev/null | grep -v '^clang-tidy' |
  grep -v 'warnings generated' | grep -v 'Suppressed [0-9]* warnings' |
  grep -v 'Use -header-filter' | grep -v '^$' | tee "$build/tidy.log" || true
if grep -q 'error:\|warning:' "$build/tidy.log"; then
  echo "tidy: findings above ($build/tidy.log)" >&2
  exit 1
fi
echo "tidy: ${#files[@]} files, no finding"
