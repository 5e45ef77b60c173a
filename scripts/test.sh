#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test, with clang-tidy over src/ beside them;
# then builds again with AddressSanitizer and UndefinedBehaviorSanitizer and runs the tests there
# too, and the tests of edgecrew's threads under ThreadSanitizer. Exits non-zero when any test or
# check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --test
# Style before anything is built: a file clang-format would change fails the run.
./scripts/check_format.sh
# Warnings are errors in this build (and so in CI).
EDGECREW_CMAKE_ARGS=-DEDGECREW_WERROR=ON ./scripts/build.sh
cmake --build build
# The schema tests (label "schema") read the manifests with kubernetes-models, pinned by
# tests/k8s-schema/package-lock.json.
npm ci --prefix tests/k8s-schema --no-audit --no-fund --loglevel=error >/dev/null

# clang-tidy over src/ (.clang-tidy's checks) runs beside the tests, at the lowest priority: the
# tests mostly wait on Podman and containerd, and the CPU they leave idle is what tidy uses (it takes
# 14 minutes of two cores on its own). Its report is printed, and counted, after the ASan tests.
# Its own session, so that a failing step stops it with all its clang-tidy processes.
setsid nice -n 19 ./scripts/tidy.sh build >build/tidy.out 2>&1 &
tidy_pid=$!
trap 'kill -- "-$tidy_pid" 2>/dev/null || true' EXIT
ctest --test-dir build --output-on-failure -j "$(nproc)"

echo "== the same tests under ASan + UBSan"
# Warnings are errors here too: the sanitizers and -O0 change what the compiler warns about.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DEDGECREW_SANITIZE="address;undefined" \
  -DEDGECREW_WERROR=ON >/dev/null
cmake --build build-asan
# tests/lsan.supp: state OpenSSL frees per thread, caught at exit while a library thread ends.
# Not the reliability suite (label "reliability"): it drives the binary for minutes, and its
# memory limits leave no room for ASan's shadow memory; the release pass above runs it. Nor the
# rootless pass (label "rootless"): the same engine tests again, as another user, which the
# release pass runs.
LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0" \
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -LE "reliability|rootless"

echo "== clang-tidy over src/ (started after the release build)"
tidy_status=0
wait "$tidy_pid" || tidy_status=$?
trap - EXIT
cat build/tidy.out
[ "$tidy_status" -eq 0 ]

echo "== the tests of edgecrew's threads under TSan"
# Only the edgecrew_thread_tests target (tests/CMakeLists.txt says which): plan and what it uses.
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDGECREW_SANITIZE=thread \
  -DEDGECREW_WERROR=ON >/dev/null
cmake --build build-tsan --target edgecrew_thread_tests
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" build-tsan/tests/edgecrew_thread_tests
