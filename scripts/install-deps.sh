#!/usr/bin/env bash
# Installs tblint's build dependencies from Debian's packages, only those
# missing. Needs root (or sudo) when something is missing.
set -euo pipefail

PACKAGES=(
  g++ cmake make
  libprotobuf-dev protobuf-compiler
  libboost-filesystem-dev libboost-program-options-dev
  nlohmann-json3-dev doctest-dev
  libsqlite3-dev sqlite3
  libtomlplusplus-dev
  dpkg-dev  # dpkg-shlibdeps: the .deb's Depends (cpack, tests/install_test.cc)
  # tests: the SARIF schema check (tests/validate_sarif.py) and JUnit XML (xmllint)
  python3 python3-jsonschema libxml2-utils
  # tests: the HTML report drawn in headless Chromium (tests/check_html.py, docs/html.md)
  chromium
)
# Only for scripts/fuzz.sh (libFuzzer comes with clang's runtime libraries).
if [ "${TBLINT_SKIP_FUZZ:-0}" != "1" ]; then
  PACKAGES+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
