#!/usr/bin/env bash
# Differential test of the optimizer: for every rule of the public SigmaHQ
# corpus (../shared/sigma-corpus, every folder) and of rules/, the optimized
# and the unoptimized tree must give the same verdict on every generated
# event (tests/optdiff/optdiff.c). Prints the summaries (rules, events,
# disagreements, AST nodes before and after, time); fails on any
# disagreement, each one printed in full.
#
#   tests/optimizer_diff.sh [BUILD_DIR]     (default build; run from the repository root)
#
# Build first:  cmake --build BUILD_DIR --target optdiff
# OPTDIFF_EVENTS (random events per rule, default 1024) and OPTDIFF_SEED
# (default 1) change the generated set.
set -u
build=${1:-build}
case $build in /*) ;; *) build=$PWD/$build ;; esac
cd "$(dirname "$0")/.." || exit 2
optdiff=$build/tests/optdiff
events=${OPTDIFF_EVENTS:-1024}
seed=${OPTDIFF_SEED:-1}
corpus=../shared/sigma-corpus

if [ ! -x "$optdiff" ]; then
    echo "optimizer_diff: $optdiff is missing (cmake --build $build --target optdiff)" >&2
    exit 2
fi
if [ ! -d "$corpus" ]; then
    echo "optimizer_diff: $corpus is missing" >&2
    exit 2
fi

status=0
for set in "$corpus" rules; do
    echo "== $set"
    "$optdiff" --verbose --seed "$seed" --events "$events" "$set"
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "optimizer_diff: FAIL: $set (exit $rc)"
        status=1
    fi
done
if [ $status -eq 0 ]; then
    echo "optimizer_diff: ok, no disagreement"
fi
exit $status
