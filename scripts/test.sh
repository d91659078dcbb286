#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#   1. release build (gcc, -Werror): cmocka unit tests, malformed-rule set,
#      golden explain and convert tests (every target and format), the rule
#      formats parsed back (tests/formats/check.py), the lexical structure
#      of every EQL, SPL and YARA-L query (tests/structure/check.py), the public corpus
#      converted to every target and the spec examples, the
#      evaluator checks over the shared events (tests/eval_checks.sh), the
#      optimizer's differential test over the corpus (tests/optimizer_diff.sh)
#      and Microsoft's Kusto parser over every KQL query of the golden cases
#      and the corpus (tests/kql/run.sh);
#   2. the same under AddressSanitizer + UndefinedBehaviorSanitizer (clang),
#      plus every rule of the corpus over every shared event file;
#   3. seeded libFuzzer runs (ASan+UBSan) over the loader (with the
#      optimizer, pipelines, catalog and every backend), the EVTX reader and
#      the evaluator;
#   4. valgrind's leak check over the whole corpus and over the shared events.
# The last line is "N passed, N failed" over the suites; exit 0 only if all pass.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh || { echo "dependency installation failed"; exit 2; }

passed=0
failed=0
suite() { # name command...
    local name=$1
    shift
    echo "=== $name"
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "--- FAILED: $name"
    fi
}

suite "build (gcc, -Werror)" scripts/build.sh build
if [ -x build/sigcc ]; then
    suite "unit tests" ctest --test-dir build --output-on-failure
    suite "malformed rules" tests/run_bad.sh build/sigcc
    suite "golden explain and convert" tests/golden/run.sh build/sigcc
    suite "rule formats parse and carry the query" python3 tests/formats/check.py build/sigcc \
        rules ../shared/sigma-corpus/rules
    structure() { # lexical structure of every EQL, SPL and YARA-L query (no parser packaged)
        python3 tests/structure/check.py --files tests/golden/convert/*/*.default &&
            python3 tests/structure/check.py build/sigcc rules ../shared/sigma-corpus/rules
    }
    suite "EQL, SPL and YARA-L queries well-formed (goldens and corpus)" structure
    suite "corpus and spec examples" tests/corpus.sh build/sigcc
    suite "evaluator checks" tests/eval_checks.sh build/sigcc
    suite "optimizer differential (corpus)" tests/optimizer_diff.sh build
    suite "KQL parses and binds (Kusto language service)" tests/kql/run.sh build/sigcc
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
suite "build (clang, ASan+UBSan)" scripts/build.sh build-asan -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++ -DSIGCC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
if [ -x build-asan/sigcc ]; then
    suite "unit tests (sanitizers)" ctest --test-dir build-asan --output-on-failure
    suite "malformed rules (sanitizers)" tests/run_bad.sh build-asan/sigcc
    suite "golden explain (sanitizers)" tests/golden/run.sh build-asan/sigcc
    suite "corpus (sanitizers)" tests/corpus.sh build-asan/sigcc
    suite "evaluator checks (sanitizers)" tests/eval_checks.sh build-asan/sigcc
    suite "optimizer differential (sanitizers)" env OPTDIFF_EVENTS=64 tests/optimizer_diff.sh build-asan
    all_events_asan() { # exit 1 (nothing matched) would be wrong too: expect 0
        build-asan/sigcc eval -q -r ../shared/sigma-corpus/rules -r rules ../shared/events \
            >/dev/null
    }
    suite "all rules over all shared events (sanitizers)" all_events_asan
fi

fuzz_build() {
    scripts/build.sh build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
        -DSIGCC_FUZZ=ON -DSIGCC_SANITIZE=ON -DSIGCC_TESTS=OFF -DCMAKE_BUILD_TYPE=Debug
}

fuzz_run() { # harness seconds seed-dir [libFuzzer options...]
    local harness=$1 seconds=$2 seeds=$3
    shift 3
    (cd build-fuzz && "./$harness" -seed=20261122 -max_total_time="$seconds" -timeout=30 \
        -artifact_prefix=./ "$@" "$seeds" 2>&1 | tail -3)
    return "${PIPESTATUS[0]}"
}

fuzz_smoke() { # short, seeded libFuzzer runs: loader, EVTX reader, evaluator
    local seeds rc=0 f
    seeds=$(mktemp -d)
    mkdir "$seeds/rules" "$seeds/evtx" "$seeds/events"
    # The limit_* cases are left out of the seeds because each run of them is slow.
    while IFS= read -r f; do
        cp "$f" "$seeds/rules/$(echo "$f" | tr '/' '_')"
    done < <(find rules tests/golden tests/bad -name '*.yml' -size -64k ! -name 'limit_*' |
             LC_ALL=C sort)
    find ../shared/events -name '*.evtx' -size -80k 2>/dev/null | LC_ALL=C sort | head -8 |
        while IFS= read -r f; do cp "$f" "$seeds/evtx/$(basename "$f")"; done
    cp examples/T1071.003/*.jsonl "$seeds/events/"
    fuzz_run fuzz_rule "${SIGCC_FUZZ_SECONDS:-60}" "$seeds/rules" -max_len=4096 \
        -dict=../fuzz/condition.dict || rc=1
    fuzz_run fuzz_evtx "${SIGCC_FUZZ_SECONDS:-60}" "$seeds/evtx" -max_len=200000 || rc=1
    fuzz_run fuzz_eval "${SIGCC_FUZZ_SECONDS:-60}" "$seeds/events" -max_len=8192 || rc=1
    rm -rf "$seeds"
    return "$rc"
}
suite "fuzz build (libFuzzer, ASan+UBSan)" fuzz_build
suite "fuzz smoke (libFuzzer, ASan+UBSan)" fuzz_smoke

valgrind_corpus() {
    valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
        --error-exitcode=99 build/sigcc check -q ../shared/sigma-corpus rules >/dev/null
}
valgrind_events() { # the regression events (EVTX and JSON) and one OTRF file, all rules
    valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
        --error-exitcode=99 build/sigcc eval -q -r ../shared/sigma-corpus/rules -r rules \
        ../shared/events/sigmahq-regression \
        ../shared/events/otrf-security-datasets/psh_cmstp_execution_bypassuac_2020-10-2201543213.jsonl \
        >/dev/null
}
if [ -x build/sigcc ] && [ -d ../shared/sigma-corpus ]; then
    suite "valgrind leak check (corpus)" valgrind_corpus
    suite "valgrind leak check (evaluator over shared events)" valgrind_events
fi

echo
echo "suites: $passed passed, $failed failed"
[ $failed -eq 0 ]
