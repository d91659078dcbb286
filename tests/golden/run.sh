#!/usr/bin/env bash
# Golden tests for `sigcc explain`.
#   tests/golden/explain/<case>/rule.yml      input (one or more documents)
#   tests/golden/explain/<case>/explain.txt   expected stdout+stderr, then "exit: N"
#                                             (the parsed form: -O0)
# and for the shipped rules, rules/<dir>/ ->
#   tests/golden/rules/<dir>.explain          as written (-O0)
#   tests/golden/rules/<dir>.O1.explain       optimized (-O1)
#   tests/golden/rules/<dir>.passes           the tree after each pass (--passes)
# and for `sigcc convert`, one directory per case:
#   tests/golden/convert/<case>/rule.yml      input (one or more documents), or
#   tests/golden/convert/<case>/paths         repository paths to load together
#                                             (each rule of rules/ has a case)
#   tests/golden/convert/<case>/<target>.<format>  expected stdout+stderr, "exit: N"
# for every target and format `sigcc list formats` prints; and for `sigcc catalog`,
#   tests/golden/catalog/<dir>.md             the technique page of rules/<dir>/
#   tests/golden/catalog/corpus/ -> tests/golden/catalog/corpus.{md,json}
#                                             the fixture corpus (figures computed by hand
#                                             in its README.md)
# --update rewrites the expectations; read the diff before committing it.
set -u
cd "$(dirname "$0")/../.."
update=0
if [ "${1:-}" = "--update" ]; then update=1; shift; fi
sigcc=${1:-build/sigcc}
pass=0
fail=0

compare() { # name expected-file command...
    local name=$1 expected=$2
    shift 2
    local actual
    actual=$("$@" 2>&1; echo "exit: $?")
    if [ $update -eq 1 ]; then
        mkdir -p "$(dirname "$expected")"
        printf '%s\n' "$actual" > "$expected"
        pass=$((pass + 1))
    elif [ -f "$expected" ] && [ "$actual" = "$(cat "$expected")" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $name"
        diff <(printf '%s\n' "$actual") "$expected" | head -20
    fi
}

# The built-in pipelines named in a catalog grow as pipelines land: the
# catalog goldens hold their list as "...". (Their mappings still count.)
catalog_golden() {
    "$sigcc" catalog "$@" | sed -E -e 's/(through the built-in pipelines) [^.]*\./\1 .../' \
        -e 's/("pipelines": )\[[^]]*\]/\1[...]/'
    return "${PIPESTATUS[0]}"
}

for dir in tests/golden/explain/*/; do
    dir=${dir%/}
    [ -f "$dir/rule.yml" ] || continue
    compare "$dir" "$dir/explain.txt" "$sigcc" explain -O0 "$dir/rule.yml"
done
for dir in rules/*/; do
    name=$(basename "$dir")
    compare "rules/$name" "tests/golden/rules/$name.explain" "$sigcc" explain -O0 "$dir"
    compare "rules/$name -O1" "tests/golden/rules/$name.O1.explain" "$sigcc" explain -O1 "$dir"
    compare "rules/$name --passes" "tests/golden/rules/$name.passes" "$sigcc" explain --passes "$dir"
    compare "rules/$name catalog" "tests/golden/catalog/$name.md" \
        catalog_golden --technique "$name" "$dir"
done
formats=$("$sigcc" list formats)
for dir in tests/golden/convert/*/; do
    dir=${dir%/}
    inputs=()
    if [ -f "$dir/paths" ]; then
        mapfile -t inputs < <(grep -v '^#' "$dir/paths")
    elif [ -f "$dir/rule.yml" ]; then
        inputs=("$dir/rule.yml")
    else
        continue
    fi
    while IFS=$'\t' read -r target format; do
        compare "$dir -t $target -f $format" "$dir/$target.$format" \
            "$sigcc" convert -t "$target" -f "$format" "${inputs[@]}"
    done <<< "$formats"
done
# Every shipped rule has a convert case.
for rule in rules/*/*.yml; do
    if ! grep -qxF "$rule" tests/golden/convert/*/paths 2>/dev/null; then
        fail=$((fail + 1))
        echo "FAIL: $rule has no case in tests/golden/convert (a directory with a 'paths' file)"
    fi
done
for format in md json; do
    compare "catalog corpus -f $format" "tests/golden/catalog/corpus.$format" \
        catalog_golden -f "$format" tests/golden/catalog/corpus
done
echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ]
