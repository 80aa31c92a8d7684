#!/bin/sh
# Checks every float32 bit pattern against std::to_chars (see
# bench/shortest_exhaustive.cc). Not part of CI: a few minutes on two cores.
# Usage: bench/shortest_exhaustive.sh   (from anywhere; needs g++ with C++20)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CXX:-g++} -std=c++20 -O2 -I"$root/src" "$root/bench/shortest_exhaustive.cc" "$root/src/export/shortest.cc" \
  -o "$tmp/check"
# Two halves in parallel.
"$tmp/check" 0 7fffffff & a=$!
"$tmp/check" 80000000 ffffffff & b=$!
status=0
wait $a || status=1
wait $b || status=1
[ $status -eq 0 ] && echo "all 2^32 float32 patterns match std::to_chars"
exit $status
