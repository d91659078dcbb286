#!/usr/bin/env bash
# Benchmark: how long `sigcc check` takes to load and lint the whole public
# SigmaHQ corpus (read, YAML parse, modifiers, condition grammar, AST, lint).
# Prints figures; asserts nothing. Usage: bench/load.sh [RUNS] [SIGCC]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
sigcc=${2:-build/sigcc}
corpus=../shared/sigma-corpus
[ -x "$sigcc" ] || scripts/build.sh build
files=$(find "$corpus" -name '*.yml' | wc -l)
bytes=$(find "$corpus" -name '*.yml' -print0 | xargs -0 cat | wc -c)
"$sigcc" check -q "$corpus" >/dev/null # warm the page cache
best=999999
total=0
for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    "$sigcc" check -q "$corpus" >/dev/null
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    total=$((total + ms))
    [ $ms -lt $best ] && best=$ms
done
mean=$((total / runs))
echo "corpus: $files files, $((bytes / 1024)) KiB"
echo "load+lint, best of $runs: ${best} ms, mean ${mean} ms"
awk -v f="$files" -v b="$bytes" -v ms="$best" 'BEGIN {
    print sprintf("throughput: %.0f rules/s, %.1f MB/s, %.1f us per rule", f / (ms / 1000), b / 1e6 / (ms / 1000), ms * 1000 / f) }'
if command -v /usr/bin/time >/dev/null; then
    /usr/bin/time -f "peak memory: %M KiB, cpu: %U s user + %S s system" "$sigcc" check -q "$corpus" >/dev/null
fi
