#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Validate senderaudit JSON reports against report/senderaudit.schema.json
(or, with --schema spf, the spf subcommand's report/senderaudit-spf.schema.json).

usage: validate-json.py [--lines] [--schema audit|spf] FILE|-

Reads one JSON object from FILE (or standard input for "-"), or with --lines
one object per line (JSON Lines, batch mode). Exits 0 when the input is valid,
1 with the first problem on standard error when it is not, and 2 on a usage
error or an unreadable schema. Needs Debian's python3-jsonschema (4.x).
"""

import argparse
import json
import os
import sys

import jsonschema
from jsonschema.exceptions import best_match

SCHEMAS = {
    "audit": "senderaudit.schema.json",
    "spf": "senderaudit-spf.schema.json",
}
REPORT_DIR = os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "report")


class InputError(Exception):
    pass


def reject_constant(name):
    raise InputError("%s is not valid JSON" % name)


def reject_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise InputError("duplicate key %s" % json.dumps(key))
        obj[key] = value
    return obj


def parse(text):
    try:
        return json.loads(text, object_pairs_hook=reject_duplicates,
                          parse_constant=reject_constant)
    except json.JSONDecodeError as e:
        raise InputError("invalid JSON: %s" % e) from None


def where(path):
    """JSON path of an error, e.g. $.checks[0].remedy."""
    s = "$"
    for p in path:
        s += "[%d]" % p if isinstance(p, int) else "." + p
    return s


def first_error(validator, doc):
    err = best_match(validator.iter_errors(doc))
    if err is None:
        return None
    return "%s: %s" % (where(err.absolute_path), err.message)


def main():
    ap = argparse.ArgumentParser(
        description="Validate senderaudit JSON output against its schema.")
    ap.add_argument("--lines", action="store_true",
                    help="the input is JSON Lines: one report per line")
    ap.add_argument("--schema", choices=sorted(SCHEMAS), default="audit",
                    help="which report the input is (default: audit)")
    ap.add_argument("file", metavar="FILE",
                    help='the JSON to check, or "-" for standard input')
    args = ap.parse_args()

    V = jsonschema.Draft202012Validator
    SCHEMA = os.path.join(REPORT_DIR, SCHEMAS[args.schema])
    try:
        with open(SCHEMA, encoding="utf-8") as f:
            schema = json.load(f)
        V.check_schema(schema)
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        print("%s: bad schema: %s" % (SCHEMA, e), file=sys.stderr)
        return 2
    validator = V(schema, format_checker=V.FORMAT_CHECKER)

    name = "<stdin>" if args.file == "-" else args.file
    try:
        if args.file == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(args.file, "rb") as f:
                raw = f.read()
    except OSError as e:
        print("%s: %s" % (name, e.strerror), file=sys.stderr)
        return 1

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        print("%s: not UTF-8: %s" % (name, e), file=sys.stderr)
        return 1

    if args.lines:
        # JSON Lines: every line is one value; only the last line may be
        # followed by a newline, so blank lines are errors.
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        if not lines:
            print("%s: no JSON lines" % name, file=sys.stderr)
            return 1
        docs = [("%s:%d" % (name, i), line)
                for i, line in enumerate(lines, 1)]
    else:
        docs = [(name, text)]

    for label, chunk in docs:
        if args.lines and chunk.strip() == "":
            print("%s: blank line" % label, file=sys.stderr)
            return 1
        try:
            doc = parse(chunk)
        except InputError as e:
            print("%s: %s" % (label, e), file=sys.stderr)
            return 1
        msg = first_error(validator, doc)
        if msg is not None:
            print("%s: %s" % (label, msg), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
