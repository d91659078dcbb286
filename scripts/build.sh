#!/usr/bin/env bash
# Builds sigcc into build/ (release with debug info, warnings as errors).
# BUILD_DIR and extra cmake arguments may be given: build.sh build-asan -DSIGCC_SANITIZE=ON
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
cmake -S . -B "$dir" -DSIGCC_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)" >/dev/null
