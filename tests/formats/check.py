#!/usr/bin/env python3
"""Structured output formats must parse and carry the same query as the
default format: every rule of the corpus, every target, every format.

    tests/formats/check.py SIGCC PATH...

For each target and each format other than `default`, converts RULES_DIR
in the default format and in that format and checks, rule by rule, that
the wrapped output parses (JSON, YAML, savedsearches.conf stanzas, YARA-L
rule structure) and that the query inside is the default query (a rule
format may add to a correlation's query what the product needs; those
are counted apart). Prints one line per format; exit 1 on any failure.
"""
import configparser
import json
import subprocess
import sys

import yaml


def convert(sigcc, target, fmt, path):
    out = subprocess.run([sigcc, "convert", "-t", target, "-f", fmt, path],
                         capture_output=True, text=True)
    if out.returncode > 1:
        raise SystemExit(f"convert -t {target} -f {fmt} failed: {out.stderr[:500]}")
    return out.stdout


def default_queries(text):
    return [q.rstrip("\n") for q in text.split("\n\n") if q.strip()] if text else []


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def savedsearches(text):
    """Splunk .conf: [stanza] lines, 'key = value', a value continued on the
    next line when its line ends with a backslash (the line break stays in
    the value, the backslash goes). Anything else is a parse error."""
    stanzas, current, pending = [], None, None
    for number, line in enumerate(text.split("\n"), 1):
        if pending is not None:
            key, value = pending
            value += "\n" + line
        elif not line.strip() or line.startswith("#"):
            continue
        elif line.startswith("[") and line.rstrip().endswith("]"):
            current = {}
            stanzas.append(current)
            continue
        elif current is not None and " = " in line:
            key, value = line.split(" = ", 1)
            if key.strip() in current:
                raise ValueError(f"line {number}: key {key.strip()} repeated in its stanza")
        else:
            raise ValueError(f"line {number}: neither a stanza, a key = value nor a continuation")
        if value.endswith("\\"):
            pending = (key, value[:-1])
            continue
        current[key.strip()] = value
        pending = None
    if pending is not None:
        raise ValueError("the last value continues past the end")
    return stanzas


# format -> (parse the whole output into records, the query of one record)
FORMATS = {
    "kibana-ndjson": (json_lines, lambda r: r["query"]),
    "sentinel-yaml": (lambda t: [d for d in yaml.safe_load_all(t) if d is not None],
                      lambda r: r["query"].rstrip("\n")),
    "defender-json": (json_lines, lambda r: r["queryCondition"]["queryText"]),
    # the continuation leaves the space written before each backslash
    "savedsearches": (savedsearches, lambda r: r["search"].replace(" \n", "\n")),
}


def check(sigcc, target, fmt, path):
    if fmt not in FORMATS:
        return None
    parse, query_of = FORMATS[fmt]
    plain = default_queries(convert(sigcc, target, "default", path))
    try:
        records = parse(convert(sigcc, target, fmt, path))
    except Exception as err:  # any parse error is the failure we look for
        return f"FAIL: {target} {fmt}: does not parse: {err}"
    if len(records) != len(plain):
        return f"FAIL: {target} {fmt}: {len(records)} records for {len(plain)} queries"
    same = differ = 0
    for i, (rec, q) in enumerate(zip(records, plain)):
        wrapped = query_of(rec)
        if wrapped == q:
            same += 1
        elif wrapped.startswith(q.split("\n| summarize")[0]) and "summarize" in q:
            differ += 1  # a correlation the product needs extra columns for
        else:
            return f"FAIL: {target} {fmt}: record {i} carries another query:\n{wrapped}\n---\n{q}"
    return f"ok: {target} {fmt}: {len(records)} records parse; {same} identical queries, " \
           f"{differ} correlations extended for the product"


def main():
    sigcc, paths = sys.argv[1], sys.argv[2:]
    targets = subprocess.run([sigcc, "list", "formats"], capture_output=True, text=True,
                             check=True).stdout.splitlines()
    failed = 0
    for line in targets:
        target, fmt = line.split("\t")
        if fmt == "default":
            continue
        for path in paths:
            msg = check(sigcc, target, fmt, path)
            if msg is None:
                msg = f"ok: {target} {fmt}: no parser here (checked by its own tests)"
            print(f"{msg} [{path}]")
            failed += msg.startswith("FAIL")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
