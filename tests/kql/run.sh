#!/usr/bin/env bash
# Every KQL query sigcc writes must parse and bind with zero errors in Microsoft's Kusto
# language service (check_kql.js) against the Defender XDR tables of defender_schema.txt and the
# Sentinel tables of sentinel_schema.txt:
#   - the shipped rules (rules/<dir>/);
#   - every golden convert case (tests/golden/convert/<case>/: rule.yml, or the paths listed);
#   - the golden explain cases (tests/golden/explain/<case>/rule.yml) that convert;
#   - tests/kql/rules/: every operator, table and correlation kind (each rule must convert);
#   - the public SigmaHQ corpus (../shared/sigma-corpus: rules and rules-threat-hunting);
#   - with the pipeline sentinel_windows added: tests/kql/sentinel_rules/ (each must convert);
#     with sentinel_cloud added: tests/kql/sentinel_cloud_rules/ (each must convert);
#   - with both Sentinel pipelines added: the corpus again.
# Rules a target cannot express are refused with a reason (exit 1): those print nothing to check.
# Needs node and tests/kql/node_modules (scripts/install-deps.sh runs npm ci).
set -u
cd "$(dirname "$0")/../.."
sigcc=${1:-build/sigcc}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failed=0

queries() { # file: the number of blank-line separated queries in it
    awk 'BEGIN { RS = "" } END { print NR }' "$1"
}

convert() { # name all|some path...: converts into $out/name.kql; 'all' = nothing refused
    local name=$1 want=$2 rc
    shift 2
    "$sigcc" convert -t kql "$@" >"$out/$name.kql" 2>"$out/$name.err"
    rc=$?
    if [ $rc -gt 1 ] || { [ "$want" = all ] && [ $rc -ne 0 ]; }; then
        echo "FAIL: sigcc convert -t kql $* (exit $rc)"
        head -10 "$out/$name.err"
        failed=1
    fi
}

if ! command -v node >/dev/null || [ ! -d tests/kql/node_modules/@kusto/language-service-next ]; then
    echo "FAIL: node or tests/kql/node_modules is missing (scripts/install-deps.sh installs them)"
    exit 1
fi
if [ ! -d ../shared/sigma-corpus ]; then
    echo "FAIL: ../shared/sigma-corpus is missing"
    exit 1
fi

for dir in rules/*/; do
    convert "rules-$(basename "$dir")" some "$dir"
done
for dir in tests/golden/convert/*/; do
    name=golden-$(basename "$dir")
    if [ -f "$dir/paths" ]; then
        mapfile -t inputs < <(grep -v '^#' "$dir/paths")
        convert "$name" some "${inputs[@]}"
    else
        convert "$name" some "$dir/rule.yml"
    fi
done
for rule in tests/golden/explain/*/rule.yml; do
    convert "explain-$(basename "$(dirname "$rule")")" some "$rule"
done
convert own all tests/kql/rules
convert corpus some ../shared/sigma-corpus
convert sentinel-own all -p sentinel_windows tests/kql/sentinel_rules
convert sentinel-cloud-own all -p sentinel_cloud tests/kql/sentinel_cloud_rules
convert sentinel-corpus some -p sentinel_windows -p sentinel_cloud ../shared/sigma-corpus

count() { # label files...
    local label=$1 n=0 f
    shift
    for f in "$@"; do n=$((n + $(queries "$f"))); done
    echo "$label: $n queries"
}
count "shipped rules" "$out"/rules-*.kql
count "golden convert cases" "$out"/golden-*.kql
count "golden explain cases" "$out"/explain-*.kql
count "tests/kql/rules" "$out/own.kql"
count "SigmaHQ corpus" "$out/corpus.kql"
count "tests/kql/sentinel_rules (sentinel_windows)" "$out/sentinel-own.kql"
count "tests/kql/sentinel_cloud_rules (sentinel_cloud)" "$out/sentinel-cloud-own.kql"
count "SigmaHQ corpus (sentinel_windows, sentinel_cloud)" "$out/sentinel-corpus.kql"
if [ "$(queries "$out/corpus.kql")" -lt 1000 ]; then
    echo "FAIL: the corpus gave fewer than 1000 KQL queries"
    failed=1
fi
if [ "$(queries "$out/sentinel-corpus.kql")" -le "$(queries "$out/corpus.kql")" ]; then
    echo "FAIL: the Sentinel pipelines gave no more corpus queries than the default pipeline"
    failed=1
fi
grep -q summarize "$out/own.kql" || { echo "FAIL: no correlation query was checked"; failed=1; }
# Every Sentinel table is bound at least once, by the corpus or by our own rules (no corpus
# rule names the workloads OfficeActivity holds).
for table in SecurityEvent WindowsEvent AWSCloudTrail SigninLogs AuditLogs AADUserRiskEvents \
    AzureActivity GCPAuditLogs OfficeActivity; do
    cat "$out/sentinel-corpus.kql" "$out/sentinel-own.kql" "$out/sentinel-cloud-own.kql" |
        grep -q "^$table\$" || { echo "FAIL: no $table query"; failed=1; }
done

# Relative names in the report: corpus.kql:LINE, rules-T1071.003.kql:LINE, ...
(cd "$out" && node "$OLDPWD/tests/kql/check_kql.js" --schema "$OLDPWD/tests/kql/defender_schema.txt" \
    --schema "$OLDPWD/tests/kql/sentinel_schema.txt" --quiet ./*.kql) || failed=1
[ $failed -eq 0 ]
