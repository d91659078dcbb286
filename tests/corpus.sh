#!/usr/bin/env bash
# The whole public SigmaHQ corpus and every spec example must load with no
# error, and convert to every target (or be refused with a reason).
# Needs ../shared beside the repository.
set -u
cd "$(dirname "$0")/.."
sigcc=${1:-build/sigcc}
shared=../shared
pass=0
fail=0
check() { # name expected-summary-regex path...
    local name=$1 want=$2
    shift 2
    local out rc
    out=$("$sigcc" check -q "$@" 2>/tmp/sigcc-corpus-$$.err)
    rc=$?
    if [ $rc -eq 0 ] && [[ "$out" =~ $want ]]; then
        pass=$((pass + 1))
        echo "ok: $name: $out"
    else
        fail=$((fail + 1))
        echo "FAIL: $name (exit $rc): $out"
        head -20 /tmp/sigcc-corpus-$$.err
    fi
    rm -f /tmp/sigcc-corpus-$$.err
}
if [ ! -d "$shared/sigma-corpus" ]; then
    echo "corpus: ../shared/sigma-corpus is missing"
    echo "corpus: 0 passed, 1 failed"
    exit 1
fi
n=$(find "$shared/sigma-corpus" -name '*.yml' | wc -l)
check "sigma-corpus ($n files)" "^$n rules, 0 errors" "$shared/sigma-corpus"
check "spec examples" "^12 rules, 0 errors" "$shared/sigma-spec/schema-examples"
check "rules/" "^[0-9]+ rules, 0 errors, 0 warnings" rules
# Every target over the whole corpus, one output file per rule file
# (--out-dir): each rule is converted or refused with a diagnostic (exit 0
# or 1), never a crash. Prints the count and the refusal reasons grouped
# (quoted names and values elided).
tmp=$(mktemp -d)
for target in $("$sigcc" list targets | cut -f1); do
    "$sigcc" convert -t "$target" "$shared/sigma-corpus/rules" --out-dir "$tmp/$target" \
        >/dev/null 2>"$tmp/$target.err"
    rc=$?
    files=$(find "$tmp/$target" -type f 2>/dev/null | wc -l)
    refused=$(grep -c ' error: ' "$tmp/$target.err" || true)
    if [ $rc -le 1 ] && [ "$files" -gt 0 ]; then
        pass=$((pass + 1))
        echo "ok: convert -t $target --out-dir corpus/rules: $files rule files converted, $refused refusals:"
        sed -nE 's/^[^ ]+: error: //p' "$tmp/$target.err" |
            sed -E "s/'[^']*'/'…'/g; s/\"[^\"]*\"/\"…\"/g; s/, transformation [0-9]+ /, /" |
            sort | uniq -c | sort -rn | head -12 | cut -c1-220
    else
        fail=$((fail + 1))
        echo "FAIL: convert -t $target corpus (exit $rc)"
        head -5 "$tmp/$target.err"
    fi
done
rm -rf "$tmp"
echo "corpus: $pass passed, $fail failed"
[ $fail -eq 0 ]
