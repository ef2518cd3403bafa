#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""sweep.py MODE ARGS... OUT COUNTS: judges the runs of a sweep
(tests/suite_sweep_*.sh). Run I (line I of JOBS, from 1) left OUT/I.json,
OUT/I.err and OUT/I.rc (its exit status). Prints a FAIL line per violation
and the sweep's summary line, and writes "PASSED FAILED" to COUNTS: one per
run, failed when the run has any violation.

Every run must exit 0..3 with no sanitizer report and print a report that
tests/validate-json.py accepts. Then, by MODE:

  fault BASELINE QUESTIONS JOBS
      QUESTIONS: the questions recorded, one a line; JOBS lines
      "QNAME QTYPE FAULT". Every check (id and subject) of
      BASELINE (OUT/BASELINE.json) is in the run with the same status or
      `error`, and the run has no other check: a failed lookup never
      becomes another verdict. The runs with FAULT "nodata" (every
      question answered with no record, once) are the reference for the
      rest: a check whose status that changes rests on the question, so
      when the question failed it can only be `error`, not the same status.
      The resolver canaries (the root's and the TLDs' NS, lib/net/dns.c) are
      the exception: their "no record" is the sign of a denying resolver,
      but their failure is no sign of anything (an authoritative server
      refuses them), so only the first rule holds for them.
  options CATALOGUE JOBS
      JOBS lines "only|skip IDS VARIANT" (CATALOGUE: the ids, one a line).
      Every catalogue id is in the report; the ids IDS turns off are there
      and only `skip`; the others are never skip "disabled by --only/--skip";
      no check "did not report (internal error)". The IPv4-mapped sender
      (VARIANT "mapped") gets the statuses of the IPv4 one ("clean").
  denial JOBS
      JOBS lines "LABEL ...": no check is `fail` and the exit status is 3
      (the resolver denied every name: nothing could be determined)."""
import importlib.util
import json
import os
import re
import sys

import jsonschema

HERE = os.path.dirname(os.path.realpath(__file__))
_spec = importlib.util.spec_from_file_location("validate_json", os.path.join(HERE, "validate-json.py"))
vj = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vj)
with open(os.path.join(vj.REPORT_DIR, vj.SCHEMAS["audit"]), encoding="utf-8") as _f:
    _V = jsonschema.Draft202012Validator
    VALIDATOR = _V(json.load(_f), format_checker=_V.FORMAT_CHECKER)
DISABLED = "disabled by --only/--skip"
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|runtime error:")


def read(path, default=""):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return default


def run(out, name):
    """(report or None, problems) of run NAME: how it ended, and whether
    its report is schema-valid."""
    problems = []
    rc = read(os.path.join(out, name + ".rc"), "?").strip()
    err = read(os.path.join(out, name + ".err"))
    san = [l for l in err.splitlines() if SANITIZER.search(l) or l.startswith("SUMMARY:")]
    if san:
        problems.append("crash: %s" % " / ".join(san[:2])[:300])
    elif rc not in ("0", "1", "2", "3"):
        problems.append("exit status %s (stderr: %s)" % (rc, err.strip()[:200]))
    doc = None
    try:
        with open(os.path.join(out, name + ".json"), "rb") as f:
            doc = vj.parse(f.read().decode("utf-8"))
        msg = vj.first_error(VALIDATOR, doc)
        if msg:
            problems.append("report not schema-valid: %s" % msg)
            doc = None
    except (OSError, UnicodeDecodeError, vj.InputError) as e:
        if not san:  # a crash explains it
            problems.append("no valid JSON report: %s" % e)
        doc = None
    return doc, problems


def findings(doc):
    """{"id[subject]": finding}; a repeated id and subject gets "#2", ..."""
    out = {}
    for c in doc.get("checks", []):
        key = c["id"] + ("[%s]" % c["subject"] if c.get("subject") is not None else "")
        k, n = key, 1
        while k in out:
            n += 1
            k = "%s#%d" % (key, n)
        out[k] = c
    return out


def jobs(path):
    with open(path, encoding="utf-8") as f:
        return [(str(i), line.split()) for i, line in enumerate(f, 1) if line.strip()]


def canary(qname, qtype):
    """The root's or a TLD's NS: lib/net/dns.c's denial canaries."""
    return qtype == "NS" and (qname == "." or "." not in qname)


def fault(out, baseline, questions, jobfile):
    base, problems = run(out, baseline)
    if problems:
        for p in problems:
            print("FAIL fault sweep: the baseline run: %s" % p)
        return 0, 1
    before = findings(base)
    todo = jobs(jobfile)
    # The nodata runs say which verdicts rest on a question: those a
    # missing record changes.
    nodata = {}
    for name, (qname, qtype, what) in todo:
        if what == "nodata" and not canary(qname, qtype):
            doc, _ = run(out, name)
            nodata[qname, qtype] = findings(doc) if doc is not None else {}
    passed = failed = verdicts = 0
    per_fault = {}
    for name, (qname, qtype, what) in todo:
        doc, bad = run(out, name)
        if what != "nodata":
            per_fault[what] = per_fault.get(what, 0) + 1
        if doc is not None and what != "nodata":
            after = findings(doc)
            without = nodata.get((qname, qtype), {})
            for key, c in before.items():
                a, n = after.get(key), without.get(key)
                if a is None:
                    bad.append("%s %s -> missing" % (key, c["status"]))
                elif a["status"] not in (c["status"], "error"):
                    bad.append("%s %s -> %s (%s)" % (key, c["status"], a["status"], a["summary"]))
                elif a["status"] != "error" and n is not None and n["status"] != c["status"]:
                    bad.append("%s %s -> %s (%s), but with no record there it is %s (%s)" % (
                        key, c["status"], a["status"], a["summary"], n["status"], n["summary"]))
            for key in after.keys() - before.keys():
                bad.append("%s new -> %s (%s)" % (key, after[key]["status"], after[key]["summary"]))
        for b in bad:
            print("FAIL fault sweep: %s/%s %s: %s" % (qname, qtype, what, b))
        verdicts += len(bad)
        failed += bool(bad)
        passed += not bad
    with open(questions, encoding="utf-8") as f:
        total = sum(1 for line in f if line.strip())
    print("fault sweep: %d questions x %d faults (%s), %d false verdicts" % (
        total, len(per_fault),
        ", ".join("%s %s" % (f, "all" if n == total else n) for f, n in per_fault.items()),
        verdicts))
    return passed, failed


def selected(spec, catalogue):
    """The ids a --only/--skip list names: ids, or categories."""
    names = spec.split(",")
    return {i for i in catalogue if i in names or i.split(".")[0] in names}


def options(out, catalogue_file, jobfile):
    with open(catalogue_file, encoding="utf-8") as f:
        catalogue = [l.strip() for l in f if l.strip()]
    todo = jobs(jobfile)
    # The IPv4 runs the IPv4-mapped ones are held to.
    ipv4 = {(mode, spec): name for name, (mode, spec, variant) in todo if variant == "clean"}
    passed = failed = 0
    for name, (mode, spec, variant) in todo:
        doc, bad = run(out, name)
        named = selected(spec, catalogue)
        off = set(catalogue) - named if mode == "only" else named
        if doc is not None:
            checks = doc["checks"]
            ids = {c["id"] for c in checks}
            for i in catalogue:
                if i not in ids:
                    bad.append("%s is missing from the report" % i)
            for c in checks:
                what = "%s%s %s (%s)" % (c["id"], "[%s]" % c["subject"] if c.get("subject") else "",
                                         c["status"], c["summary"])
                if c["id"] in off and c["status"] != "skip":
                    bad.append("disabled, but %s" % what)
                elif c["id"] not in off and c["summary"] == DISABLED:
                    bad.append("enabled, but %s" % what)
                if "did not report (internal error)" in c["summary"]:
                    bad.append(what)
                if c["id"] not in catalogue:
                    bad.append("not in the catalogue: %s" % what)
            if variant == "mapped" and (mode, spec) in ipv4:
                v4, _ = run(out, ipv4[mode, spec])
                before = findings(v4) if v4 is not None else {}
                for key, c in findings(doc).items():
                    b = before.get(key)
                    if b is None or b["status"] != c["status"]:
                        bad.append("%s is %s (%s), for 192.0.2.10 %s" % (
                            key, c["status"], c["summary"], b["status"] if b else "missing"))
        for b in bad:
            print("FAIL option sweep: --%s %s (%s): %s" % (mode, spec, variant, b))
        failed += bool(bad)
        passed += not bad
    print("option sweep: %d runs, %d with violations" % (passed + failed, failed))
    return passed, failed


def denial(out, jobfile):
    passed = failed = fails = 0
    for name, words in jobs(jobfile):
        doc, bad = run(out, name)
        rc = read(os.path.join(out, name + ".rc"), "?").strip()
        false_fail = False
        if doc is not None:
            for key, c in findings(doc).items():
                if c["status"] == "fail":
                    bad.append("%s fail (%s)" % (key, c["summary"]))
                    false_fail = True
        if rc != "3":
            bad.append("exit status %s, want 3" % rc)
        for b in bad:
            print("FAIL denial sweep: %s: %s" % (" ".join(words), b))
        fails += false_fail
        failed += bool(bad)
        passed += not bad
    print("denial sweep: %d audits, %d with a false fail" % (passed + failed, fails))
    return passed, failed


def main():
    mode, args, (out, counts) = sys.argv[1], sys.argv[2:-2], sys.argv[-2:]
    passed, failed = {"fault": fault, "options": options, "denial": denial}[mode](out, *args)
    with open(counts, "w", encoding="utf-8") as f:
        f.write("%d %d\n" % (passed, failed))


main()
