#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite with ctest;
# then the same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
# Set TBLINT_SKIP_SANITIZERS=1 to run only the first pass. Then each libFuzzer
# harness runs for TBLINT_FUZZ_SECONDS (default 30; scripts/fuzz.sh); TBLINT_SKIP_FUZZ=1
# skips that. Longer fuzzing: fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh -DTBLINT_BUILD_TESTS=ON -DTBLINT_BUILD_BENCH=ON
(cd build && ctest --output-on-failure -j"$(nproc)")
if [ "${TBLINT_SKIP_SANITIZERS:-0}" != "1" ]; then
  BUILD_DIR=build-asan BUILD_TYPE=Debug bash scripts/build.sh -DTBLINT_SANITIZE=ON -DTBLINT_BUILD_TESTS=ON \
    -DTBLINT_BUILD_BENCH=OFF
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$(nproc)")
fi
if [ "${TBLINT_SKIP_FUZZ:-0}" != "1" ]; then
  bash scripts/fuzz.sh "${TBLINT_FUZZ_SECONDS:-30}"
fi
