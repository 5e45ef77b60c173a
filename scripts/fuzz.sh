#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and fuzzes one parser for
# a while (default 60 s): compose (the stack loader, the default), cdi (CDI specs), toml (crio.conf,
# storage.conf, registries.conf readers), stream (libpod's multiplexed exec/logs stream and pull
# lines), crilog (CRI log files) or bolt (the Bolt handshake answer). New crashes are written to build-fuzz/crashes/; copy the
# input into tests/fuzz/corpus/TARGET/ once fixed, so the ordinary test run keeps checking it.
#   scripts/fuzz.sh [SECONDS] [compose|cdi|toml|stream|crilog|bolt]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
which="${2:-compose}"
case "$which" in
  compose) target=fuzz_compose_loader; seeds=(tests/fuzz/corpus/compose src/stack/builtin)
           extra=(-dict=tests/fuzz/compose.dict) ;;
  cdi) target=fuzz_cdi_spec; seeds=(tests/fuzz/corpus/cdi); extra=() ;;
  toml) target=fuzz_toml_config; seeds=(tests/fuzz/corpus/toml); extra=() ;;
  stream) target=fuzz_stream_frames; seeds=(tests/fuzz/corpus/stream); extra=() ;;
  crilog) target=fuzz_cri_log; seeds=(tests/fuzz/corpus/crilog); extra=() ;;
  bolt) target=fuzz_bolt_reply; seeds=(tests/fuzz/corpus/bolt); extra=() ;;
  *) echo "fuzz.sh: unknown target $which (compose, cdi, toml, stream, crilog or bolt)" >&2
     exit 2 ;;
esac
./scripts/setup.sh --test
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEDGECREW_TESTS=OFF -DEDGECREW_FUZZ=ON -DEDGECREW_SANITIZE="address;undefined" \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link" >/dev/null
cmake --build build-fuzz --target "$target"
mkdir -p "build-fuzz/corpus/$which" build-fuzz/crashes
# The checked-in corpus seeds the run; what libFuzzer finds stays in build-fuzz/corpus/TARGET.
"./build-fuzz/tests/fuzz/$target" "build-fuzz/corpus/$which" "${seeds[@]}" "${extra[@]}" \
  -max_total_time="$seconds" -max_len=4096 -timeout=5 -artifact_prefix=build-fuzz/crashes/ \
  -print_final_stats=1
