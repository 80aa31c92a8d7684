#!/usr/bin/env bash
# Installs what is missing, builds, and runs tblint on the bundled sample
# logdir fixtures/demo. The sample is copied to a temporary directory and its
# files dated two hours back: a git checkout gives every file a fresh mtime,
# and tblint treats a freshly modified truncated file as one a writer may
# still be appending to (info, never fixed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh -DTBLINT_BUILD_TESTS=OFF -DTBLINT_BUILD_BENCH=OFF
demo="$(mktemp -d)/demo"
cp -r fixtures/demo "$demo"
find "$demo" -type f -exec touch -d '2 hours ago' {} +
echo "\$ tblint $demo"
status=0
./build/tblint "$demo" || status=$?
echo "(exit status $status: 0 clean, 1 findings, 2 usage error)"
