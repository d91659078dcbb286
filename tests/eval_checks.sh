#!/usr/bin/env bash
# Evaluator checks against real and synthetic events:
#   1. the four hand-checked rules on the OTRF lsass dump file (exact counts);
#   2. every SigmaHQ regression rule matches its own events, from the JSON
#      and from the EVTX file;
#   3. the T1071.003 correlation on synthetic events (fires / does not);
#   4. the examples of the README.
# usage: tests/eval_checks.sh [BIN]   (run from the repository root)
set -uo pipefail
BIN=${1:-build/sigcc}
EVENTS=../shared/events
CORPUS=../shared/sigma-corpus
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

count_matches() { # rule-or-dir events... -> number of result lines
    local rules=$1
    shift
    "$BIN" eval -q -r "$rules" "$@" 2>/dev/null | grep -c '"type":"'
}

id_index=$(mktemp)
trap 'rm -f "$id_index"' EXIT
grep -r --include='*.yml' -m1 '^id: ' "$CORPUS/rules" "$CORPUS/rules-threat-hunting" \
    2>/dev/null >"$id_index"
rule_file_of() { # rule id -> its file in the corpus
    grep -F -m1 ":id: $1" "$id_index" | cut -d: -f1
}

# 1. Exact counts, each checked by hand against the events (see the events README).
otrf=$EVENTS/otrf-security-datasets/metasploit_sharpdump_lsass_memory_dump.jsonl.gz
while read -r id want; do
    rule=$(rule_file_of "$id")
    [ -n "$rule" ] || { fail "rule $id not in the corpus"; continue; }
    got=$(count_matches "$rule" "$otrf")
    [ "$got" = "$want" ] || fail "OTRF $id: $got matches, expected $want"
done <<'LIST'
7f4c43f9-b1a5-4c7d-b24a-b41bf3a3ebf2 8
db809f10-56ce-4420-8c86-d6a7d793c79c 2
b69888d4-380c-45ce-9cf9-d9ce46e67821 4
e54979bd-c5f9-4d6c-967b-a04b19ac4c74 0
LIST

# 2. Regression events: each rule must match its own events, from every
# file of its folder (EVTX, its JSON rendering, and the odd .jsoncls/.raw).
reg=$EVENTS/sigmahq-regression
checked=0
rules_checked=0
skipped=()
while IFS= read -r info; do
    dir=$(dirname "$info")
    id=$(sed -n 's/^    - id: //p' "$info" | head -1)
    rule=$(rule_file_of "$id")
    if [ -z "$rule" ]; then
        skipped+=("$dir: rule $id not in the corpus")
        continue
    fi
    rules_checked=$((rules_checked + 1))
    while IFS= read -r f; do
        got=$(count_matches "$rule" "$f")
        [ "$got" -ge 1 ] || fail "regression $f: no match"
        checked=$((checked + 1))
    done < <(find "$dir" -maxdepth 1 -type f ! -name info.yml | LC_ALL=C sort)
done < <(find "$reg" -name info.yml | LC_ALL=C sort)
echo "regression: $rules_checked rules, $checked event files checked, ${#skipped[@]} skipped"
for s in "${skipped[@]}"; do echo "  skipped: $s"; done
[ "$rules_checked" -ge 194 ] || fail "regression: only $rules_checked rules checked"

# 3. T1071.003 correlation: 3 connections in 24 h by one process to one host.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$id_index"' EXIT
conn() { # time image port [computer] [dest]
    printf '{"Event":{"System":{"EventID":3,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"%s","TimeCreated":{"#attributes":{"SystemTime":"%s"}}},"EventData":{"Image":"%s","Initiated":"true","DestinationIp":"%s","DestinationPort":"%s"}}}\n' \
        "${4:-WS01}" "$1" "$2" "${5:-198.51.100.7}" "$3"
}
ps='C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'
scenario() { # name expected-correlations; events on stdin
    cat >"$tmp/$1.jsonl"
    local got
    got=$("$BIN" eval -q -r rules/T1071.003 "$tmp/$1.jsonl" 2>/dev/null | grep -c '"type":"correlation"')
    [ "$got" = "$2" ] || fail "T1071.003 correlation '$1': $got results, expected $2"
}
{ conn 2026-11-20T08:00:00Z "$ps" 25; conn 2026-11-20T12:00:00Z "$ps" 587; conn 2026-11-21T07:59:00Z "$ps" 465; } | scenario three_in_24h 1
{ conn 2026-11-20T08:00:00Z "$ps" 25; conn 2026-11-20T12:00:00Z "$ps" 25; } | scenario two_only 0
{ conn 2026-11-20T08:00:00Z "$ps" 25; conn 2026-11-20T20:00:00Z "$ps" 25; conn 2026-11-21T08:00:01Z "$ps" 25; } | scenario over_24h 0
{ for t in 08 09 10; do conn "2026-11-20T$t:00:00Z" 'C:\\Program Files\\Microsoft Office\\root\\Office16\\outlook.exe' 993; done; } | scenario outlook 0
{ for t in 08 09 10; do conn "2026-11-20T$t:00:00Z" 'C:\\Program Files\\Mozilla Thunderbird\\THUNDERBIRD.EXE' 143; done; } | scenario thunderbird_upper_case 0
{ for t in 08 09 10; do conn "2026-11-20T$t:00:00Z" "$ps" 2525; done; } | scenario port_2525 0
{ conn 2026-11-20T08:00:00Z "$ps" 25 WS01; conn 2026-11-20T09:00:00Z "$ps" 25 WS02; conn 2026-11-20T10:00:00Z "$ps" 25 WS03; } | scenario three_hosts 0
{ conn 2026-11-20T08:00:00Z "$ps" 25 WS01 198.51.100.7; conn 2026-11-20T09:00:00Z "$ps" 25 WS01 198.51.100.8; conn 2026-11-20T10:00:00Z "$ps" 25 WS01 198.51.100.9; } | scenario three_destinations 0
{ for t in 01 02 03 04 05 06; do conn "2026-11-20T$t:00:00Z" "$ps" 110; done; } | scenario six_in_a_row 2

# 4. The literal prefilter and the optimizer only change speed: every rule of
# the corpus over every shared event gives the same results with both (the
# default), with neither, and with each alone.
"$BIN" eval -q -r "$CORPUS/rules" -r rules "$EVENTS" >"$tmp/with" 2>/dev/null
for variant in "--no-prefilter -O0" "--no-prefilter" "-O0"; do
    # shellcheck disable=SC2086
    "$BIN" eval -q $variant -r "$CORPUS/rules" -r rules "$EVENTS" >"$tmp/without" 2>/dev/null
    if ! cmp -s "$tmp/with" "$tmp/without"; then
        fail "results differ with $variant: $(diff "$tmp/with" "$tmp/without" | grep -c '^[<>]') lines"
    fi
done
[ -s "$tmp/with" ] || fail "no results at all over the shared events"

# 5. The README's examples.
ex=examples/T1071.003
base=rules/T1071.003/net_connection_mail_protocol_non_mail_client.yml
[ "$(count_matches "$base" "$ex/sysmon.jsonl")" = 3 ] || fail "examples: sysmon.jsonl should give 3 matches"
[ "$("$BIN" eval -q -r "$base" -p pipelines/ecs_windows.yml "$ex/ecs.jsonl" 2>/dev/null | grep -c '"type":"match"')" = 3 ] ||
    fail "examples: ecs.jsonl through pipelines/ecs_windows.yml should give 3 matches"
[ "$(count_matches "$base" "$ex/ecs.jsonl")" = 0 ] ||
    fail "examples: ecs.jsonl without the ECS pipeline has no Image field: 0 matches"
[ "$(count_matches rules/T1071.003 "$ex/sysmon_repeated_smtp.jsonl")" = 1 ] ||
    fail "examples: sysmon_repeated_smtp.jsonl should give 1 correlation"
"$BIN" eval -q -r "$base" "$ex/sysmon.jsonl" >/dev/null 2>&1
[ $? = 0 ] || fail "exit status: a match must give 0"
"$BIN" eval -q -r "$base" "$EVENTS/otrf-security-datasets/psh_cmstp_execution_bypassuac_2020-10-2201543213.jsonl" >/dev/null 2>&1
[ $? = 1 ] || fail "exit status: no match must give 1"
"$BIN" eval -q -r "$base" /nonexistent.jsonl >/dev/null 2>&1
[ $? = 2 ] || fail "exit status: an unreadable input must give 2"

[ $fails -eq 0 ] && echo "eval checks: all passed"
[ $fails -eq 0 ]
