#!/usr/bin/env bash
# Benchmark of `sigcc eval`: throughput over a JSON-lines file of at least
# 1 GB built from ../shared/events (generated here, not kept), with the
# T1071.003 rule, with 100 Windows rules and with every Windows rule of the
# corpus; then the 120 MB OTRF lsass file that other tools are measured on.
# Prints figures; asserts nothing. Usage: bench/eval.sh [MB] [SIGCC]
set -euo pipefail
cd "$(dirname "$0")/.."
target_mb=${1:-1024}
sigcc=${2:-build/sigcc}
events=../shared/events
corpus=../shared/sigma-corpus/rules/windows
[ -x "$sigcc" ] || scripts/build.sh build
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One copy of every JSON-lines event we have (flat OTRF and EVTX-as-JSON),
# repeated until the file reaches the target size.
one=$work/one.jsonl
for f in "$events"/otrf-security-datasets/*.jsonl*; do zcat -f "$f"; done >"$one"
zcat "$events"/evtx-attack-samples/*.jsonl.gz >>"$one"
big=$work/big.jsonl
: >"$big"
while [ "$(stat -c %s "$big")" -lt $((target_mb * 1000 * 1000)) ]; do cat "$one" >>"$big"; done
bytes=$(stat -c %s "$big")
lines=$(wc -l <"$big")

find "$corpus" -name "*.yml" | LC_ALL=C sort | awk "NR <= 100" >"$work/hundred"
mkdir "$work/r100"
i=0
while IFS= read -r f; do cp "$f" "$work/r100/$i.yml"; i=$((i + 1)); done <"$work/hundred"
all_rules=$(find "$corpus" -name '*.yml' | wc -l)

run() { # label rules file
    local label=$1 rules=$2 file=$3 size
    size=$(stat -c %s "$file")
    cat "$file" >/dev/null # page cache
    /usr/bin/time -f "%e %U %M" -o "$work/time" "$sigcc" eval -q -r "$rules" "$file" \
        >"$work/out" 2>"$work/err" || true
    read -r wall user mem <"$work/time"
    local n
    n=$(grep -o '^sigcc eval: [0-9]* events' "$work/err" | grep -o '[0-9]*' | head -1)
    awk -v l="$label" -v w="$wall" -v u="$user" -v m="$mem" -v b="$size" -v n="$n" \
        -v r="$(wc -l <"$work/out")" 'BEGIN {
        printf "%-34s %7.2f s  %9.0f events/s  %7.1f MB/s  peak %6.1f MB  %d results\n",
               l, w, n / w, b / 1e6 / w, m / 1024, r }'
}

echo "input: $((bytes / 1000000)) MB, $lines events (JSON lines, OTRF flat + EVTX-as-JSON)"
run "1 rule (T1071.003 base)" rules/T1071.003/net_connection_mail_protocol_non_mail_client.yml "$big"
run "100 Windows rules" "$work/r100" "$big"
run "all $all_rules Windows rules" "$corpus" "$big"
lsass=$work/lsass.jsonl
zcat "$events"/otrf-security-datasets/metasploit_sharpdump_lsass_memory_dump.jsonl.gz >"$lsass"
run "lsass file, all Windows rules" "$corpus" "$lsass"
gz=$events/otrf-security-datasets/metasploit_sharpdump_lsass_memory_dump.jsonl.gz
run "lsass .gz, all Windows rules" "$corpus" "$gz"
