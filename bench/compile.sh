#!/usr/bin/env bash
# Benchmark: compiling the whole public SigmaHQ corpus to every target
# (load, resolve, default pipeline, optimize, emit), one process per
# target, output discarded. Prints per target the wall and CPU time, the
# rules converted and the CPU time per rule, then the load alone for
# reference. Asserts nothing. Usage: bench/compile.sh [RUNS] [SIGCC]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
sigcc=${2:-build/sigcc}
corpus=../shared/sigma-corpus/rules
[ -x "$sigcc" ] || scripts/build.sh build
rules=$(find "$corpus" -name '*.yml' | wc -l)
"$sigcc" check -q "$corpus" >/dev/null || true # warm the page cache

# best-of-N CPU milliseconds (user+system) of a command
best_cpu() {
    local best=999999 t TIMEFORMAT='%U %S'
    for _ in $(seq "$runs"); do
        t=$( { time "$@" >/dev/null 2>&1; } 2>&1 | awk '{ printf "%d", ($1 + $2) * 1000 }')
        [ "$t" -lt "$best" ] && best=$t
    done
    echo "$best"
}

echo "corpus: $rules rule files ($corpus), best of $runs runs"
load_ms=$(best_cpu "$sigcc" check -q "$corpus")
printf '%-8s %10s %10s %12s\n' target converted "cpu ms" "us/rule"
total=0
targets=0
for target in $("$sigcc" list targets | cut -f1); do
    ms=$(best_cpu "$sigcc" convert -t "$target" "$corpus")
    tmp=$(mktemp -d)
    "$sigcc" convert -t "$target" "$corpus" --out-dir "$tmp" >/dev/null 2>&1 || true
    converted=$(find "$tmp" -type f | wc -l)
    rm -rf "$tmp"
    total=$((total + ms))
    targets=$((targets + 1))
    awk -v t="$target" -v c="$converted" -v ms="$ms" -v n="$rules" \
        'BEGIN { printf "%-8s %10d %10d %12.1f\n", t, c, ms, ms * 1000 / n }'
done
awk -v ms="$total" -v n="$rules" -v l="$load_ms" -v k="$targets" 'BEGIN {
    printf "all %d targets: %d ms CPU, %.1f us per rule per target ", k, ms, ms * 1000 / n / k
    printf "(load+lint alone: %d ms, %.1f us per rule)\n", l, l * 1000 / n }'
