#!/usr/bin/env bash
# gen.sh - writes the generated malformed rules of tests/bad.
#
#   gen.sh DIR              the large cases, written at test time by
#                           tests/run_bad.sh into DIR (tests/bad/generated,
#                           git-ignored): too big to commit
#   gen.sh --committed DIR  the small generated cases that are committed in
#                           tests/bad (rerun it only to recreate them)
#
# Only bash, awk, head and tr: no other tool is needed to run the tests.
set -eu

header() {
    printf 'title: %s\nlogsource:\n    category: process_creation\n    product: windows\n' "$1"
}

# ---------------------------------------------------------------- small
# A flow list nested 1000 levels deep as the value of a field.
deep_flow() {
    header 'YAML nested 1000 levels (flow style)'
    printf 'detection:\n    selection:\n        Image: '
    awk 'BEGIN { for (i = 0; i < 1000; i++) printf "["; printf "x"; for (i = 0; i < 1000; i++) printf "]"; printf "\n" }'
    printf '    condition: selection\n'
}

# 200 levels of parentheses around one identifier.
parens_200() {
    header 'Condition nested in 200 parentheses'
    printf "detection:\n    selection:\n        Image|endswith: '\\\\cmd.exe'\n    condition: "
    awk 'BEGIN { for (i = 0; i < 200; i++) printf "("; printf "selection"; for (i = 0; i < 200; i++) printf ")"; printf "\n" }'
}

# 200 nested 'not' without parentheses.
not_200() {
    header "Condition with 200 nested 'not'"
    printf "detection:\n    selection:\n        Image|endswith: '\\\\cmd.exe'\n    condition: "
    awk 'BEGIN { for (i = 0; i < 200; i++) printf "not "; printf "selection\n" }'
}

# Billion laughs: 9 levels, each a list of 10 aliases of the level below.
alias_bomb() {
    header 'YAML alias bomb (billion laughs)'
    printf 'x-lol:\n    l0: &l0 ["lol"]\n'
    awk 'BEGIN {
        for (l = 1; l <= 9; l++) {
            printf "    l%d: &l%d [", l, l
            for (i = 0; i < 10; i++) printf "%s*l%d", (i ? ", " : ""), l - 1
            printf "]\n"
        }
    }'
    printf 'detection:\n    selection:\n        Image: *l9\n    condition: selection\n'
}

# One selection with 110 unknown modifiers: more than the 100 errors reported per file.
too_many_errors() {
    header 'More than 100 errors in one file'
    printf 'detection:\n    selection:\n'
    awk 'BEGIN { for (i = 1; i <= 110; i++) printf "        Field%03d|bogus: x\n", i }'
    printf '    condition: selection\n'
}

# ---------------------------------------------------------------- large
# A map nested 1000 levels deep, one space of indentation per level (~500 KB).
deep_block() {
    header 'YAML nested 1000 levels (block style)'
    printf 'detection:\n    selection:\n'
    awk 'BEGIN {
        for (i = 0; i < 1000; i++) {
            printf "%*sk%d:\n", 8 + i, "", i
        }
        printf "%*sx\n", 8 + 1000, ""
    }'
    printf '    condition: selection\n'
}

# One 10 MiB value: over the 1 MiB scalar limit, under the 16 MiB file limit.
scalar_10mb() {
    header 'A single 10 MiB value'
    printf 'detection:\n    selection:\n        CommandLine|contains: '
    head -c 10485760 /dev/zero | tr '\0' 'A'
    printf '\n    condition: selection\n'
}

# A condition of 70,000 bytes: over the 64 KiB condition limit.
condition_too_long() {
    header 'Condition longer than 64 KiB'
    printf "detection:\n    selection:\n        Image|endswith: '\\\\cmd.exe'\n    condition: selection"
    awk 'BEGIN { for (i = 0; i < 5100; i++) printf " or selection" }'
    printf '\n'
}

# A list of 100,001 values: over the per-list limit.
list_too_long() {
    header 'Value list of 100001 entries'
    printf 'detection:\n    selection:\n        EventID: ['
    awk 'BEGIN { for (i = 0; i < 100001; i++) printf "%s%d", (i ? "," : ""), i % 10; printf "]\n" }'
    printf '    condition: selection\n'
}

# 10,001 small valid rules in one file: over the per-file document limit.
too_many_documents() {
    awk 'BEGIN {
        for (i = 0; i < 10001; i++)
            printf "---\n{title: r%d, logsource: {product: windows}, detection: {s: {EventID: %d}, condition: s}}\n", i, i
    }'
}

if [ "${1:-}" = "--committed" ]; then
    dir=${2:?usage: gen.sh --committed DIR}
    deep_flow >"$dir/yaml_deep_nesting_1000_flow.yml"
    parens_200 >"$dir/condition_parens_200.yml"
    not_200 >"$dir/condition_not_200.yml"
    alias_bomb >"$dir/yaml_alias_bomb.yml"
    too_many_errors >"$dir/limit_too_many_errors.yml"
else
    dir=${1:?usage: gen.sh DIR}
    mkdir -p "$dir"
    deep_block >"$dir/yaml_deep_nesting_1000_block.yml"
    scalar_10mb >"$dir/limit_scalar_10mb.yml"
    condition_too_long >"$dir/limit_condition_too_long.yml"
    list_too_long >"$dir/limit_list_too_long.yml"
    too_many_documents >"$dir/limit_too_many_documents.yml"
fi
