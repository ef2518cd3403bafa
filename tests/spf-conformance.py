#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""spf-conformance.py SUITE.yml OUTDIR: turns an openspf-format SPF test suite
(RFC 7208 suite, ../shared/conformance/spf/) into NSD zone files, one
directory per scenario, and a list of its tests.

OUTDIR/NN/*.zone       one zone per top-level label of the scenario's names
OUTDIR/NN/servfail.list names that must fail (TIMEOUT in the suite)
OUTDIR/NN/tests.tsv    name, host, mailfrom, helo, accepted results (comma),
                       separated by US (0x1f): fields may be empty

The suite's conventions (its README and pyspf's driver): an SPF-type record
is also served as TXT unless the name has TXT data of its own ("TXT: NONE"
means none); TIMEOUT makes the name's other types time out, so a name with
TIMEOUT and no TXT data cannot answer the TXT query: it is served by a zone
that fails to load, and NSD answers SERVFAIL (temperror, as a timeout).
"""
import os
import sys

import yaml


def escape_label(label):
    out = []
    for b in label.encode("utf-8"):
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in "-_*"):
            out.append(c)
        else:
            out.append("\\%03d" % b)
    return "".join(out)


def owner(name):
    name = name.rstrip(".")
    return ".".join(escape_label(l) for l in name.split(".")) + "."


def txt_rdata(value):
    parts = value if isinstance(value, list) else [value]
    if not parts:
        parts = [""]
    out = []
    for p in parts:
        s = []
        for b in str(p).encode("utf-8"):
            c = chr(b)
            if 0x20 <= b < 0x7F and c not in '"\\':
                s.append(c)
            else:
                s.append("\\%03d" % b)
        out.append('"' + "".join(s) + '"')
    return " ".join(out)


def records(name, entries):
    """(type, rdata) pairs for one owner, and whether it times out."""
    txt, spf, other, timeout, txt_none = [], [], [], False, False
    for e in entries:
        if e == "TIMEOUT":
            timeout = True
            continue
        (k, v), = e.items()
        if k == "TXT":
            if v == "NONE":
                txt_none = True
            else:
                txt.append(v)
        elif k == "SPF":
            if v != "NONE":
                spf.append(v)
        elif k == "MX":
            pref, host = v
            other.append(("MX", "%d %s" % (pref, owner(host) if host else ".")))
        elif k in ("PTR", "CNAME"):
            other.append((k, owner(v)))
        elif k in ("A", "AAAA"):
            other.append((k, v))
        else:
            raise SystemExit("unknown record type %s at %s" % (k, name))
    if not txt and not txt_none:
        txt = spf
    rrs = [("TXT", txt_rdata(v)) for v in txt] + other
    return rrs, timeout and not txt


def main():
    suite, outdir = sys.argv[1], sys.argv[2]
    with open(suite, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    for n, doc in enumerate(docs):
        d = os.path.join(outdir, "%02d" % n)
        os.makedirs(d, exist_ok=True)
        zones, failing, data = {}, [], {}
        for name, entries in (doc.get("zonedata") or {}).items():
            rrs, fails = records(name, entries or [])
            key = name.rstrip(".").lower()
            if fails:
                failing.append(key)
            else:
                data[key] = (name, rrs)
        for key, (name, rrs) in data.items():
            # A name below a failing one gets a zone of its own, so only
            # the failing name itself fails (as in the suite's driver).
            under = any(key.endswith("." + f) for f in failing)
            top = key if under else key.split(".")[-1]
            zones.setdefault(top, []).extend((owner(name), t, r) for t, r in rrs)
        for top, rrs in zones.items():
            with open(os.path.join(d, top + ".zone"), "w", encoding="ascii") as z:
                z.write("$ORIGIN %s.\n$TTL 300\n" % top)
                z.write("@ IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 300\n" % (top, top))
                z.write("@ IN NS ns.%s.\n" % top)
                for o, t, r in rrs:
                    z.write("%s IN %s %s\n" % (o, t, r))
        # The root zone: a name the scenario does not list is NXDOMAIN, as
        # a recursive resolver would say. nsd_start also waits on it.
        with open(os.path.join(d, "0probe.zone"), "w") as z:
            z.write("$ORIGIN 0probe.\n$TTL 300\n@ IN SOA ns.0probe. h.0probe. 1 3600 600 86400 300\n@ IN NS ns.0probe.\n")
        with open(os.path.join(d, "root.zone"), "w") as z:
            z.write("$ORIGIN .\n$TTL 300\n@ IN SOA ns.root. h.root. 1 3600 600 86400 300\n@ IN NS ns.root.\n")
        with open(os.path.join(d, "servfail.list"), "w") as s:
            s.write("".join(x + "\n" for x in failing))
        with open(os.path.join(d, "tests.tsv"), "w", encoding="utf-8") as t:
            for tname, tc in doc["tests"].items():
                res = tc["result"]
                res = res if isinstance(res, list) else [res]
                t.write("\x1f".join([tname, tc["host"], tc.get("mailfrom", ""), tc.get("helo", ""), ",".join(res)]) + "\n")


main()
