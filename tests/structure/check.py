#!/usr/bin/env python3
"""Checks the lexical structure of every EQL, SPL and YARA-L query sigcc
writes, since no parser for those languages is packaged here.

    tests/structure/check.py SIGCC PATH...       convert PATH to each target
    tests/structure/check.py --files FILE...     check golden files
                                                 (<target>.default)

Each query is tokenized the way its language reads it: every string literal
must be closed on its line with only the escapes the language defines and
no raw control character; backtick names (EQL) and regex literals (YARA-L)
must be closed; parentheses, brackets and braces must balance outside the
literals; and the query must have its language's outer shape:
  EQL     `<category> where ...`, or `sequence [by ...] with maxspan=T`
          followed by `  [<category> where ...]` lines (`with runs=N`);
  SPL     a search line, then `| <command> ...` lines of known commands;
  YARA-L  `rule <name> {`, the sections meta, events, match, outcome,
          condition in that order (meta as `key = "..."` lines), `}`.
Prints one line per target and source; exit 1 on any failure, with the
query and the reason.
"""
import re
import subprocess
import sys

PAIRS = {"(": ")", "[": "]", "{": "}"}
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Bad(Exception):
    pass


def read_quoted(text, i, quote, escapes):
    """Index after the literal opened at text[i]; escapes maps the char after
    a backslash to a regex its continuation must match (or None)."""
    i += 1
    while i < len(text):
        c = text[i]
        if c == quote:
            return i + 1
        if ord(c) < 0x20 or c == "\x7f":
            raise Bad(f"raw control character {ord(c):#x} inside a {quote} literal")
        if c == "\\" and escapes is not None:
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if nxt not in escapes:
                raise Bad(f"escape \\{nxt} is not one the language defines")
            tail = escapes[nxt]
            i += 2
            if tail:
                m = re.compile(tail).match(text, i)
                if not m:
                    raise Bad(f"malformed escape \\{nxt}")
                i = m.end()
            continue
        i += 1
    raise Bad(f"unterminated {quote} literal")


def balance(text, literals):
    """Walks text, skipping literals (opening char -> reader), and checks the
    brackets outside them."""
    stack = []
    i = 0
    while i < len(text):
        c = text[i]
        if c in literals:
            i = literals[c](text, i)
            continue
        if c in PAIRS:
            stack.append(PAIRS[c])
        elif c in PAIRS.values():
            if not stack or stack.pop() != c:
                raise Bad(f"unbalanced '{c}' at offset {i}")
        elif ord(c) < 0x20 and c != "\n":
            raise Bad(f"raw control character {ord(c):#x} outside a literal")
        i += 1
    if stack:
        raise Bad(f"unclosed bracket (expecting '{stack[-1]}')")


# ------------------------------------------------------------------ EQL
EQL_ESCAPES = {'"': None, "\\": None, "n": None, "r": None, "t": None,
               "u": r"\{[0-9a-fA-F]{1,6}\}"}


def eql_backtick(text, i):
    i += 1
    while i < len(text):
        if text[i] == "`":
            if text[i + 1:i + 2] == "`":  # a doubled backtick is one backtick
                i += 2
                continue
            return i + 1
        if text[i] == "\n":
            break
        i += 1
    raise Bad("unterminated backtick field name")


EQL_LITERALS = {'"': lambda t, i: read_quoted(t, i, '"', EQL_ESCAPES), "`": eql_backtick}
EQL_EVENT = re.compile(r"[a-z_]+ where \S")
EQL_SEQ_HEAD = re.compile(r"sequence( by [^\n]+?)? with maxspan=\d+[smhd]$")
EQL_SEQ_STEP = re.compile(r"  \[[a-z_]+ where .+\]( with runs=\d+)?$")


def check_eql(query):
    balance(query, EQL_LITERALS)
    lines = query.split("\n")
    if len(lines) == 1:
        if not EQL_EVENT.match(lines[0]):
            raise Bad("not '<category> where ...'")
        return
    if not EQL_SEQ_HEAD.match(lines[0]):
        raise Bad("a multi-line query that is not 'sequence ... with maxspan=T'")
    for line in lines[1:]:
        if not EQL_SEQ_STEP.match(line):
            raise Bad(f"sequence step not '  [<category> where ...]': {line[:80]}")
        balance(line, EQL_LITERALS)  # each step stands alone


# ------------------------------------------------------------------ SPL
SPL_LITERALS = {'"': lambda t, i: read_quoted(t, i, '"', {'"': None, "\\": None})}
SPL_COMMANDS = {"where", "regex", "stats", "eval", "sort", "eventstats", "streamstats",
                "table", "fields", "search", "rename", "dedup", "bin", "mvexpand"}


def check_spl(query):
    lines = query.split("\n")
    for n, line in enumerate(lines):
        balance(line, SPL_LITERALS)  # a command never spans lines
        if n == 0:
            if line.startswith("|"):
                raise Bad("the search starts with a pipe")
            continue
        m = re.match(r"\| ([a-z]+)\b", line)
        if not m or m.group(1) not in SPL_COMMANDS:
            raise Bad(f"line {n + 1} is not '| <command>': {line[:80]}")
    outside = re.sub(r'"(?:[^"\\]|\\.)*"', '""', query)
    if "`" in outside:
        raise Bad("a backtick (macro call) outside a string")


# --------------------------------------------------------------- YARA-L
def yaral_regex(text, i):
    end = text.find("`", i + 1)
    if end < 0 or "\n" in text[i:end]:
        raise Bad("unterminated regex literal")
    return end + 1


YARAL_LITERALS = {'"': lambda t, i: read_quoted(t, i, '"', {'"': None, "\\": None}),
                  "`": yaral_regex}
YARAL_SECTIONS = ["meta", "events", "match", "outcome", "condition"]
YARAL_META = re.compile(r'    [a-z_]+ = "(?:[^"\\\x00-\x1f]|\\["\\])*"$')


def check_yaral(rule):
    lines = rule.split("\n")
    if not re.fullmatch(r"rule [a-z0-9_]+ \{", lines[0]):
        raise Bad("first line not 'rule <name> {'")
    if lines[-1] != "}":
        raise Bad("last line not '}'")
    seen = []
    for line in lines[1:-1]:
        m = re.fullmatch(r"  ([a-z]+):", line)
        if m:
            name = m.group(1)
            if name not in YARAL_SECTIONS:
                raise Bad(f"unknown section '{name}'")
            if seen and YARAL_SECTIONS.index(name) <= YARAL_SECTIONS.index(seen[-1]):
                raise Bad(f"section '{name}' out of order")
            seen.append(name)
            continue
        if not seen or not line.startswith("    "):
            raise Bad(f"a line outside any section: {line[:80]}")
        if seen[-1] == "meta":
            if not YARAL_META.match(line):
                raise Bad(f"meta line not 'key = \"...\"': {line[:80]}")
        else:
            balance(line, YARAL_LITERALS)  # one expression per line
    for required in ("meta", "events", "condition"):
        if required not in seen:
            raise Bad(f"no {required} section")


CHECKERS = {"eql": check_eql, "spl": check_spl, "yaral": check_yaral}


def queries(text):
    """The queries of a default-format output: blocks separated by blank
    lines (no query has an empty line inside)."""
    return [q for q in text.split("\n\n") if q.strip()]


def check_text(target, text, source, quiet=False):
    checked = 0
    for q in queries(text.rstrip("\n")):
        try:
            CHECKERS[target](q)
        except Bad as err:
            if not quiet:
                print(f"FAIL: {target} [{source}]: {err}\n{q[:2000]}")
            return checked, False
        checked += 1
    return checked, True


def golden_text(path):
    """A golden holds stdout and stderr, then 'exit: N'; the queries are the
    lines before the diagnostics."""
    lines = open(path, encoding="utf-8").read().split("\n")
    keep = [l for l in lines if not l.startswith("exit: ") and not re.match(r"\S+:\d+:\d+: ", l)]
    return "\n".join(keep)


# Queries the checker must reject, so that a pass means something.
MALFORMED = {
    "eql": ['process where process.name : "a"b"',
            'process where process.name : "a\\qb"',
            'process where process.name : "a\tb',
            'process where (process.name : "a"',
            'process where `weird field : "a"',
            'where process.name : "a"',
            'sequence with maxspan=1h\n  process where x : "a"'],
    "spl": ['f="a"b"', 'f="a\\nb"', 'f="a', '(f="a"', 'f="a"\n| frobnicate x',
            '| where f="a"', 'f=`macro`'],
    "yaral": ['rule r {\n  meta:\n    title = "t"\n  events:\n    $e.x = "a"b"\n'
              '  condition:\n    $e\n}',
              'rule r {\n  meta:\n    title = "t"\n  events:\n    re.regex($e.x, `a)\n'
              '  condition:\n    $e\n}',
              'rule r {\n  events:\n    $e.x = "a"\n  meta:\n    title = "t"\n'
              '  condition:\n    $e\n}',
              'rule r {\n  meta:\n    title = t\n  events:\n    $e.x = "a"\n'
              '  condition:\n    $e\n}',
              'rule r {\n  meta:\n    title = "t"\n  events:\n    ($e.x = "a"\n'
              '  condition:\n    $e\n}'],
}


def self_test():
    missed = [(t, q) for t, qs in MALFORMED.items() for q in qs
              if check_text(t, q, "self-test", quiet=True)[1]]
    for t, q in missed:
        print(f"FAIL: the {t} checker accepts a malformed query:\n{q}")
    if not missed:
        print(f"ok: the checkers reject all {sum(map(len, MALFORMED.values()))} malformed queries")
    return not missed


def main():
    args = sys.argv[1:]
    ok = self_test()
    if args and args[0] == "--files":
        totals = {}
        for path in args[1:]:
            target = path.rsplit("/", 1)[-1].split(".")[0]
            if target not in CHECKERS:
                continue
            n, good = check_text(target, golden_text(path), path)
            totals[target] = totals.get(target, 0) + n
            ok &= good
        for target, n in sorted(totals.items()):
            print(f"ok: {target}: {n} golden queries well-formed" if ok else f"{target}: {n}")
        return 0 if ok else 1
    sigcc, paths = args[0], args[1:]
    for target in CHECKERS:
        for path in paths:
            out = subprocess.run([sigcc, "convert", "-t", target, path],
                                 capture_output=True, text=True)
            if out.returncode > 1:
                print(f"FAIL: convert -t {target} {path} exited {out.returncode}")
                ok = False
                continue
            n, good = check_text(target, out.stdout, path)
            ok &= good
            if good:
                print(f"ok: {target}: {n} queries well-formed [{path}]")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
