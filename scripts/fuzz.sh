#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and fuzzes the stack
# loader for a while (default 60 s). New crashes are written to build-fuzz/crashes/; copy the input
# into tests/fuzz/corpus/compose/ once fixed, so the ordinary test run keeps checking it.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
./scripts/setup.sh
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEDGECREW_TESTS=OFF -DEDGECREW_FUZZ=ON -DEDGECREW_SANITIZE="address;undefined" \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link" >/dev/null
cmake --build build-fuzz --target fuzz_compose_loader
mkdir -p build-fuzz/corpus build-fuzz/crashes
# The checked-in corpus seeds the run; what libFuzzer finds stays in build-fuzz/corpus.
./build-fuzz/tests/fuzz/fuzz_compose_loader build-fuzz/corpus tests/fuzz/corpus/compose \
  src/stack/builtin -dict=tests/fuzz/compose.dict -max_total_time="$seconds" -max_len=4096 \
  -timeout=5 -artifact_prefix=build-fuzz/crashes/ -print_final_stats=1
