#!/usr/bin/env bash
# run_bad.sh - runs `sigcc check` on every malformed rule of tests/bad and
# compares what it prints with the golden file of the case.
#
#   tests/run_bad.sh [--update] [SIGCC_BINARY]     (default binary: build/sigcc)
#
# Cases: tests/bad/NAME.yml (committed) and tests/bad/generated/NAME.yml
# (written at each run by tests/bad/gen.sh: too large to commit).
# Golden: tests/bad/NAME.expected = stderr, then stdout, then "exit: N", of
#   sigcc check tests/bad/[generated/]NAME.yml
# run from the repository root, so goldens hold no machine paths.
#
# A case fails if its output differs from the golden, if sigcc exits with
# anything but 1 (every case is an invalid rule), if it runs longer than 10
# seconds, if it crashes (exit status >= 128) or if a sanitizer reports.
# --update rewrites the goldens from the current output (except for cases
# that crash, hang or trip a sanitizer, which still fail).
set -u

usage() {
    sed -n '2,17s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

update=0
bin=
for arg in "$@"; do
    case $arg in
    --update) update=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "run_bad.sh: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
    *)
        if [ -n "$bin" ]; then
            echo "run_bad.sh: only one SIGCC_BINARY may be given" >&2
            exit 2
        fi
        bin=$arg
        ;;
    esac
done
bin=${bin:-build/sigcc}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || exit 2
cd "$root" || exit 2
if [ ! -x "$bin" ] || [ -d "$bin" ]; then
    echo "run_bad.sh: '$bin' is not an executable (build first, or pass the sigcc binary)" >&2
    exit 2
fi

bad=tests/bad
gendir=$bad/generated
if ! bash "$bad/gen.sh" "$gendir"; then
    echo "run_bad.sh: cannot generate the large cases into $gendir" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/run_bad.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
failures=

fail() { # name, reason
    failed=$((failed + 1))
    failures="$failures $1"
    echo "FAIL $1: $2"
}

shopt -s nullglob
cases=("$bad"/*.yml "$gendir"/*.yml)
shopt -u nullglob
if [ "${#cases[@]}" -eq 0 ]; then
    echo "run_bad.sh: no case found in $bad" >&2
    exit 2
fi

seen=" "
for file in "${cases[@]}"; do
    name=$(basename "$file" .yml)
    golden=$bad/$name.expected
    if [ "${seen#* $name }" != "$seen" ]; then
        fail "$name" "two cases share the name (committed and generated)"
        continue
    fi
    seen="$seen$name "

    timeout -k 5 10 "$bin" check "$file" >"$tmp/stdout" 2>"$tmp/stderr"
    rc=$?
    { cat "$tmp/stderr" "$tmp/stdout"; echo "exit: $rc"; } >"$tmp/actual"

    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        fail "$name" "timed out after 10 s ($file)"
        continue
    fi
    if grep -aqE 'ERROR: [A-Za-z]*Sanitizer|runtime error:' "$tmp/stderr"; then
        fail "$name" "sanitizer report (exit $rc) for $file:"
        grep -aE -A12 'ERROR: [A-Za-z]*Sanitizer|runtime error:' "$tmp/stderr" | head -40 | sed 's/^/    /'
        continue
    fi
    if [ "$rc" -ge 128 ]; then
        fail "$name" "crashed (exit $rc, signal $((rc - 128))) on $file"
        head -c 2000 "$tmp/stderr" | sed 's/^/    /'
        continue
    fi

    bad_exit=0
    if [ "$rc" -ne 1 ]; then
        bad_exit=1
    fi
    if [ "$update" -eq 1 ]; then
        if ! cmp -s "$tmp/actual" "$golden" 2>/dev/null; then
            cp "$tmp/actual" "$golden"
            echo "updated $golden"
        fi
        if [ "$bad_exit" -eq 1 ]; then
            fail "$name" "exit status $rc, expected 1 (the golden was written anyway)"
        else
            passed=$((passed + 1))
        fi
        continue
    fi
    if [ ! -f "$golden" ]; then
        fail "$name" "no golden $golden (run tests/run_bad.sh --update)"
        continue
    fi
    if [ "$bad_exit" -eq 1 ]; then
        fail "$name" "exit status $rc, expected 1 (a malformed rule must be rejected)"
        head -c 2000 "$tmp/actual" | sed 's/^/    /'
        continue
    fi
    if ! cmp -s "$tmp/actual" "$golden"; then
        fail "$name" "output differs from $golden:"
        diff -u --text --label "$golden" --label "actual" "$golden" "$tmp/actual" |
            head -60 | cut -c1-300 | sed 's/^/    /'
        continue
    fi
    passed=$((passed + 1))
done

# A golden whose case is gone is a test that silently stopped running.
for golden in "$bad"/*.expected; do
    [ -e "$golden" ] || continue
    name=$(basename "$golden" .expected)
    if [ "${seen#* $name }" = "$seen" ]; then
        fail "$name" "golden $golden has no case $bad/$name.yml or $gendir/$name.yml"
    fi
done

if [ "$failed" -gt 0 ]; then
    echo "failed:$failures"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
