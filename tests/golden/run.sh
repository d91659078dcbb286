#!/usr/bin/env bash
# Golden tests for `sigcc explain`.
#   tests/golden/explain/<case>/rule.yml      input (one or more documents)
#   tests/golden/explain/<case>/explain.txt   expected stdout+stderr, then "exit: N"
#                                             (the parsed form: -O0)
# and for the shipped rules, rules/<dir>/ ->
#   tests/golden/rules/<dir>.explain          as written (-O0)
#   tests/golden/rules/<dir>.O1.explain       optimized (-O1)
#   tests/golden/rules/<dir>.passes           the tree after each pass (--passes)
#   tests/golden/convert/<dir>.<target>[.<format>]  each target's output in each format
#   tests/golden/catalog/<dir>.md                   its technique's catalog page (sigcc catalog)
# and for the catalog fixture corpus (figures computed by hand in its README.md),
#   tests/golden/catalog/corpus/ -> tests/golden/catalog/corpus.{md,json}
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
    while IFS=$'\t' read -r target format; do
        suffix=$target
        [ "$format" = default ] || suffix=$target.$format
        compare "rules/$name -t $target -f $format" "tests/golden/convert/$name.$suffix" \
            "$sigcc" convert -t "$target" -f "$format" "$dir"
    done < <("$sigcc" list formats)
    compare "rules/$name catalog" "tests/golden/catalog/$name.md" \
        catalog_golden --technique "$name" "$dir"
done
for format in md json; do
    compare "catalog corpus -f $format" "tests/golden/catalog/corpus.$format" \
        catalog_golden -f "$format" tests/golden/catalog/corpus
done
echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ]
