#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""html-findings.py DOM JSON: checks that a page rendered by --format html
(the DOM as headless Chromium dumps it) holds every finding of the JSON
report (or JSON Lines batch) of the same audit: as many finding blocks as
checks, and each check's id and summary in the page's text. Prints what is
missing; exits 1 if anything is."""
import json
import sys
from html.parser import HTMLParser


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text = []
        self.findings = []  # data-check of each finding block

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div" and "finding" in (a.get("class") or "").split():
            self.findings.append(a.get("data-check"))

    def handle_data(self, data):
        self.text.append(data)


def main(dom_path, json_path):
    page = Page()
    page.feed(open(dom_path, encoding="utf-8").read())
    text = "".join(page.text)
    reports = [json.loads(l) for l in open(json_path, encoding="utf-8") if l.strip()] \
        if json_path.endswith(".jsonl") else [json.load(open(json_path, encoding="utf-8"))]
    checks = [c for r in reports for c in r["checks"]]
    missing = []
    if len(page.findings) != len(checks):
        missing.append("%d finding blocks for %d checks" % (len(page.findings), len(checks)))
    if [c["id"] for c in checks] != page.findings:
        missing.append("finding blocks not in the report's order")
    for c in checks:
        for field in ("id", "summary"):
            if c[field] not in text:
                missing.append("%s %s: %r" % (c["id"], field, c[field]))
    for r in reports:
        if r["target"]["ip"] not in text:
            missing.append("sender " + r["target"]["ip"])
    for m in missing[:10]:
        print("missing:", m)
    print("%d checks of %d reports, %d missing" % (len(checks), len(reports), len(missing)))
    sys.exit(1 if missing else 0)


main(sys.argv[1], sys.argv[2])
