#!/usr/bin/env bash
# clang-tidy (.clang-tidy's checks) over the source files of src/ (all, or the ones named),
# against BUILD_DIR's compile commands; exits non-zero on any finding. scripts/test.sh runs it over
# the whole of src/ (about 14 minutes on 2 cores).
#   scripts/tidy.sh [BUILD_DIR [FILE...]]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
shift || true
command -v run-clang-tidy >/dev/null || { echo "tidy: no run-clang-tidy (apt-get install clang-tidy)" >&2; exit 2; }
[ -f "$build/compile_commands.json" ] || { echo "tidy: no $build/compile_commands.json" >&2; exit 2; }
if [ "$#" -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(find src -name '*.cpp' | sort)
fi
# run-clang-tidy asks clang-tidy for colours: they are taken out, or "error:" would not be found.
status=0
run-clang-tidy -quiet -p "$build" -j "$(nproc)" "${files[@]}" >"$build/tidy.raw" 2>&1 || status=$?
sed 's/\x1b\[[0-9;]*m//g' "$build/tidy.raw" | grep -v '^clang-tidy' |
  grep -v 'warnings\? generated' | grep -v 'Suppressed [0-9]* warnings' |
  grep -v 'Use -header-filter' | grep -v '^$' >"$build/tidy.log" || true
cat "$build/tidy.log"
if [ "$status" -ne 0 ] || grep -q 'error:\|warning:' "$build/tidy.log"; then
  echo "tidy: findings above, or clang-tidy failed (exit $status; $build/tidy.log)" >&2
  exit 1
fi
echo "tidy: ${#files[@]} files, no finding"
