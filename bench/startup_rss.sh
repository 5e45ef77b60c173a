#!/usr/bin/env bash
# What the shared libraries edgecrew links cost at start-up, before any of its own code runs: the
# peak RSS of a program that only prints a line, linked with each set of libraries (the dynamic
# loader maps them, relocates them and runs their initialisers), beside `edgecrew --version`.
#   bench/startup_rss.sh [BUILD_DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
runs="${2:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf '#include <cstdio>\nint main() { std::puts("x"); return 0; }\n' >"$work/main.cpp"

# The median of RUNS peak RSS figures (KiB) of the command given.
peak() {
  local i
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1
  done | sort -n | sed -n "$(((runs + 1) / 2))p"
}

declare -A sets=(
  [none]=""
  [base]="libcurl openssl yaml-cpp hiredis fmt"
  [base+protobuf]="libcurl openssl yaml-cpp hiredis fmt protobuf"
  [base+protobuf+grpc]="libcurl openssl yaml-cpp hiredis fmt protobuf grpc++"
)
printf '%-22s %10s %8s\n' "linked" "peak KiB" "libs"
for name in none base base+protobuf base+protobuf+grpc; do
  libs=""
  [ -z "${sets[$name]}" ] || libs="$(pkg-config --libs ${sets[$name]})"
  # --no-as-needed: every library stays a dependency although main() calls none of them.
  g++ -O2 "$work/main.cpp" -o "$work/$name" -Wl,--no-as-needed $libs
  count="$(ldd "$work/$name" | wc -l)"
  printf '%-22s %10s %8s\n' "$name" "$(peak "$work/$name")" "$count"
done
if [ -x "$build/edgecrew" ]; then
  printf '%-22s %10s %8s\n' "edgecrew --version" "$(peak "$build/edgecrew" --version)" \
    "$(ldd "$build/edgecrew" | wc -l)"
fi
