#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/) with clang into build-fuzz/ and runs
# each for SECONDS (default 60), one after the other. Prints, per harness, the
# number of executions and "no finding" or the crash; exits 1 if any crashed.
# Installs nothing: `bash scripts/install-deps.sh` installs clang and
# libclang-rt-14-dev. Longer sessions: fuzz/README.md.
#   bash scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-60}"
BUILD_DIR="${FUZZ_BUILD_DIR:-build-fuzz}"
HARNESSES=(record_reader event_decoder lint repair)

for tool in clang clang++; do
  if ! command -v "$tool" >/dev/null; then
    echo "fuzz.sh: $tool not found; bash scripts/install-deps.sh installs it" >&2
    exit 2
  fi
done
probe_dir="$(mktemp -d)"
trap 'rm -rf "$probe_dir"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' > "$probe_dir/p.cc"
if ! clang++ -fsanitize=fuzzer,address,undefined "$probe_dir/p.cc" -o "$probe_dir/p" 2>/dev/null; then
  echo "fuzz.sh: clang cannot link libFuzzer; install libclang-rt-14-dev (bash scripts/install-deps.sh)" >&2
  exit 2
fi

cmake -S . -B "$BUILD_DIR" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTBLINT_BUILD_FUZZERS=ON -DTBLINT_BUILD_TESTS=OFF -DTBLINT_BUILD_BENCH=OFF >/dev/null
targets=(tblint_fuzz_seeds)
for h in "${HARNESSES[@]}"; do targets+=("tblint_fuzz_$h"); done
cmake --build "$BUILD_DIR" -j"$(nproc)" --target "${targets[@]}"

# Seeds from fixtures/; each harness's corpus grows in $BUILD_DIR/corpus/<name>.
SEEDS="$BUILD_DIR/fuzz-seeds"
"$BUILD_DIR/fuzz/tblint_fuzz_seeds" fixtures "$SEEDS" >/dev/null
mkdir -p "$BUILD_DIR/artifacts"

# The harnesses write and fix files: on tmpfs when there is one (a fix
# fsyncs at every step).
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  TBLINT_FUZZ_TMPDIR="$(mktemp -d /dev/shm/tblint-fuzz.XXXXXX)"
else
  TBLINT_FUZZ_TMPDIR="$(mktemp -d)"
fi
export TBLINT_FUZZ_TMPDIR
trap 'rm -rf "$probe_dir" "$TBLINT_FUZZ_TMPDIR"' EXIT

failed=0
for h in "${HARNESSES[@]}"; do
  seeds="$SEEDS/files"
  if [ "$h" = event_decoder ]; then seeds="$SEEDS/payloads"; fi
  corpus="$BUILD_DIR/corpus/$h"
  log="$BUILD_DIR/artifacts/$h.log"
  mkdir -p "$corpus"
  rc=0
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" \
    "$BUILD_DIR/fuzz/tblint_fuzz_$h" -max_total_time="$SECS" -max_len=65536 -rss_limit_mb=2048 -timeout=30 \
    -print_final_stats=1 -artifact_prefix="$BUILD_DIR/artifacts/$h-" "$corpus" "$seeds" >"$log" 2>&1 || rc=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  if [ -z "$execs" ]; then
    execs="$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')"
  fi
  if [ "$rc" -eq 0 ]; then
    printf '%-14s %10s executions in %ss: no finding\n' "$h" "${execs:-?}" "$SECS"
  else
    failed=1
    printf '%-14s %10s executions: CRASH (exit %s); log %s\n' "$h" "${execs:-?}" "$rc" "$log"
    grep -E '^(\*\*\* tblint fuzz|  |==[0-9]+==ERROR|SUMMARY|.*runtime error|artifact_prefix|Test unit written|Base64)' "$log" \
      | head -n 40 | sed 's/^/    /'
  fi
done
exit "$failed"
