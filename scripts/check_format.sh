#!/usr/bin/env bash
# Fails when clang-format (.clang-format) would change any C++ source of the project: the style
# check scripts/test.sh runs first. `scripts/check_format.sh --fix` formats the files instead.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -- 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp' \
  'bench/*.h' 2>/dev/null || find src tests bench -path tests/k8s-schema/node_modules -prune \
  -o \( -name '*.cpp' -o -name '*.h' \) -print)
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run -Werror "${files[@]}" 2>/tmp/edgecrew-format.$$; then
  head -40 /tmp/edgecrew-format.$$ >&2
  rm -f /tmp/edgecrew-format.$$
  echo "check_format: these files are not formatted; run scripts/check_format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/edgecrew-format.$$
echo "check_format: ${#files[@]} files formatted as .clang-format says"
