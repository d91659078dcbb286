#!/usr/bin/env bash
# The whole public SigmaHQ corpus and every spec example must load with no
# error. Needs ../shared beside the repository.
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
echo "corpus: $pass passed, $fail failed"
[ $fail -eq 0 ]
