#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""seeds.py OUTDIR: seed corpora for the fuzz harnesses, one folder each,
from the project's test data and ../shared's conformance data."""
import os
import pathlib
import sys

import dns.message
import dns.rrset

root = pathlib.Path(__file__).resolve().parent.parent
shared = pathlib.Path(os.environ.get("SA_SHARED", root.parent / "shared"))
out = pathlib.Path(sys.argv[1])


def put(harness, name, data):
    d = out / harness
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


names = []
for tsv in [root / "testdata/generic-names.tsv", shared / "conformance/rdns/rdns-hostnames-unique.tsv"]:
    if tsv.exists():
        for line in tsv.read_text(errors="replace").splitlines():
            if line and not line.startswith("#"):
                f = line.split("\t")
                names.append((f[0], f[1] if len(f) > 1 else ""))
for i, (n, ip) in enumerate(names[:200]):
    put("fuzz_names", "n%d" % i, n)
    put("fuzz_names", "i%d" % i, ip or "192.0.2.1")
    put("fuzz_generic", "g%d" % i, bytes([i % 8]) + bytes(16) + n.encode())
for i, s in enumerate(["plain", "b\xfccher", "\x1b[31mred", "\xff\xfe", "mail.example.com."]):
    put("fuzz_text", "t%d" % i, s.encode("latin-1"))
for i, args in enumerate([
        "192.0.2.1\nexample.com",
        "--helo\nmail.example.com\n--format\njson\n192.0.2.1\nexample.com",
        "--only\nrdns,helo.syntax\n--skip\nmx\n2001:db8::1\nexample.com",
        "--timeout\n0.5\n--retries\n1\n--resolver\n127.0.0.1#53\n192.0.2.1\nexample.com",
        "--batch\n-\n192.0.2.1 example.com mail.example.com"]):
    put("fuzz_cli", "a%d" % i, args)

import json
tsv = shared / "conformance/dkim/dkim-key-records.tsv"
if tsv.exists():
    for i, line in enumerate(tsv.read_text(errors="replace").splitlines()):
        f = line.split("\t")
        if line and not line.startswith("#") and len(f) > 1:
            put("fuzz_dkimkey", "k%d" % i, f[1])
put("fuzz_dkimkey", "ed", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
put("fuzz_dkimkey", "revoked", "v=DKIM1; p=")
tsv = shared / "conformance/dmarc/dmarc-record-cases.tsv"
if tsv.exists():
    for i, line in enumerate(tsv.read_text(errors="replace").splitlines()):
        f = line.split("\t")
        if line and not line.startswith("#") and len(f) > 3:
            try:
                rec = json.loads(f[3])
            except ValueError:
                continue
            for j, r in enumerate(rec if isinstance(rec, list) else [rec]):
                put("fuzz_dmarc", "d%d_%d" % (i, j), str(r))
put("fuzz_dmarc", "good", "v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:a@example.com!10m; t=y; psd=n")

fx = shared / "fixtures/rdap"
if fx.exists():
    for i, j in enumerate(sorted(fx.glob("*.json"))):
        body = j.read_bytes()[:60000]
        put("fuzz_rdap", "f%d" % i, (b"\x00" if "-ip-" in j.name else b"\x01") + body)
put("fuzz_rdap", "boot", b"\x02" + b'{"version":"1.0","services":[[["192.0.0.0/8","2001:db8::/32"],'
    b'["https://rdap.example/"]],[["uk","co.uk"],["http://x.example/rdap"]]]}')
put("fuzz_rdap", "time", b"\x03" + b"2026-11-22T07:00:00.283-05:00")
put("fuzz_whois", "w0", "Domain Name: EXAMPLE.COM\r\nRegistrar: Example Registrar\r\nCreation Date: 1995-08-14T04:00:00Z\r\n"
    "Registry Expiry Date: 2027-08-13T04:00:00Z\r\nDomain Status: clientHold https://icann.org/epp#clientHold\r\n"
    "Registrant Organization: Domains By Proxy, LLC\r\nRegistrar Abuse Contact Email: abuse@example\r\n")
put("fuzz_whois", "w1", "refer:        whois.nic.example\n\ndomain:       EXAMPLE\n")
put("fuzz_whois", "w2", "No match for \"EXAMPLE.COM\".\n")
for name in os.listdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "replay")):
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "replay", name), "rb") as f:
        put("fuzz_replay", name, f.read())
put("fuzz_replay", "q", b'servers "a \\"b\\" \\000"\na.test TXT status OK 0\na.test TXT rr 1 "x\\255y"\n'
    b"a.test MX status NXDOMAIN 3 why\nx A status OK 0\nx A cname y\nx A rr 5 192.0.2.1\n")

for i, rec in enumerate(["v=spf1 -all", "v=spf1 include:_spf.example.com ip4:192.0.2.0/24 ip6:2001:db8::/32 mx/24 a:mail.%{d}/24//64 ~all",
                         "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} redirect=_spf.example.com exp=explain.%{d}",
                         "%{ir}.%{v}._spf.%{d2}", "%{lr-}.lp._spf.%{d2}", "%{C}%{R}%{T}%%%_%-"]):
    put("fuzz_spf", "s%d" % i, rec)

types = {1: "A", 28: "AAAA", 15: "MX", 12: "PTR", 16: "TXT", 5: "CNAME"}
order = [1, 28, 15, 12, 16, 5]
samples = {"A": ["192.0.2.1"], "AAAA": ["2001:db8::1"], "MX": ["10 mail.example.com.", "0 ."],
           "PTR": ["mail.example.com."], "TXT": ['"v=spf1 -all"', '"part1" "part2"'], "CNAME": ["alias.example.com."]}
k = 0
for idx, t in enumerate(order):
    name = types[t]
    q = dns.message.make_query("example.com.", name)
    for rd in samples[name]:
        r = dns.message.make_response(q)
        r.answer.append(dns.rrset.from_text("example.com.", 300, "IN", name, rd))
        put("fuzz_dns_reply", "r%d" % k, bytes([idx]) + r.to_wire())
        k += 1
    r = dns.message.make_response(q)
    r.answer.append(dns.rrset.from_text("example.com.", 300, "IN", "CNAME", "x.example.com."))
    r.answer.append(dns.rrset.from_text("x.example.com.", 300, "IN", name, samples[name][0]))
    put("fuzz_dns_reply", "c%d" % k, bytes([idx]) + r.to_wire())
    k += 1

# the DNSSEC and DANE types (indices 6-9 of the harness), each with an RRSIG
sig = "%s 13 2 300 20300101000000 20200101000000 12345 example.com. " \
      "fgDrlzi9Wl8g77w8hsdLIZUfCuANiQ1kfJ0CU+2tXqPdFSFvoX/cEw37S5+C7sptJGnHGVNwgctCnJLMu8NqiQ=="
for idx, (name, rd) in enumerate([
        ("DS", "46671 13 2 a6572087916eb56bd40653ce2eda2da1377ceb1c0d8b54522e190ce44d3c3717"),
        ("DNSKEY", "257 3 13 +/ff9N0/KuHHdfRQo7a3eHO9QmqptB79EhYbImMSbnwy9cWcUsUmSxQ6wybvXEPy6/upXMNPvEY1chkUuV+gdQ=="),
        ("RRSIG", sig % "A"),
        ("TLSA", "3 1 1 8755cdaa8fe24ef16cc0f2c918063185e433faaf1415664911d9e30a924138c4")], start=6):
    q = dns.message.make_query("example.com.", name, want_dnssec=True)
    r = dns.message.make_response(q)
    r.answer.append(dns.rrset.from_text("example.com.", 300, "IN", name, rd))
    if name != "RRSIG":
        r.answer.append(dns.rrset.from_text("example.com.", 300, "IN", "RRSIG", sig % name))
    put("fuzz_dns_reply", "s%d" % idx, bytes([idx]) + r.to_wire())

# fuzz_dnsbl: a zone index byte, then A record addresses (4 bytes each).
for i, (zone, addrs) in enumerate([(0, [(127, 0, 0, 2)]), (0, [(127, 0, 0, 10), (127, 0, 0, 2)]),
                                   (0, [(127, 255, 255, 254)]), (6, [(127, 0, 1, 255)]), (7, [(127, 0, 0, 24)]),
                                   (8, [(127, 0, 0, 1)]), (255, [(127, 0, 0, 5)]), (1, [(10, 0, 0, 1)])]):
    put("fuzz_dnsbl", "a%d" % i, bytes([zone]) + b"".join(bytes(a) for a in addrs))
put("fuzz_dnsbl", "r0", b"\x00" + b"8.8.8.8#53, 2606:4700:4700::1111")

# fuzz_spf_eval: zones in tests/memdns.h's text form
for i, z in enumerate([
        "example.com TXT v=spf1 include:a.example.com mx a:%{d} exists:%{i}.bl.example.com ptr -all exp=x.example.com\n"
        "a.example.com TXT v=spf1 ip4:192.0.2.0/24 redirect=b.example.com\nb.example.com TXT v=spf1 ?all\n"
        "example.com MX 10 mx.example.com\nmx.example.com A 192.0.2.7\nx.example.com TXT %{i} %{c} %{r} %{t}\n"
        "7.2.0.192.in-addr.arpa PTR mail.example.com\nmail.example.com A 192.0.2.7\n",
        "example.com TXT v=spf1 include:example.com\n",
        "example.com TXT v=spf1 redirect=%{l}.%{o}\nuser.example.com TXT v=spf1 a//64 -all\nexample.com FAIL\n"]):
    put("fuzz_spf_eval", "z%d" % i, z)

# fuzz_message: the shared DKIM vectors' messages and a few hostile shapes
dk = shared / "conformance/dkim"
for i, f in enumerate(sorted(list((dk / "mail-auth").glob("*.txt")) + list((dk / "dkimpy").glob("*.msg")))):
    put("fuzz_message", "v%d" % i, f.read_bytes()[:4000])
for i, m in enumerate([
        b"From: \"Joe, Q.\" <joe@example.com>, (c) a@[192.0.2.1]\r\nDate: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
        b"Message-ID: <a.b@example.com>\r\nList-Unsubscribe: <https://x.example/u>, <mailto:u@x.example>\r\n\r\nbody",
        b"Received: from h (h [IPv6:2001:db8::1]) by mx\nReturn-Path: <>\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\n\nx\n--b--\n",
        b"From someone\nX: a\x00b\n \xff\xfe\nDKIM-Signature: v=1; d=e.x; s=s; h=From:To; l=3\n\n",
        b"g: (((\\(\nDate: 1 Jan 49 00:00 Z\n"]):
    put("fuzz_message", "m%d" % i, m)
# fuzz_mta_sts: 0 + an MTA-STS record, 1 + a policy (last line: a host), 2 + a TLS-RPT record
for i, rec in enumerate(["v=STSv1; id=20240101T000000;", "v=STSv1;id=a; ext_1=x.y", "v=STSv1 id=1"]):
    put("fuzz_mta_sts", "r%d" % i, b"\x00" + rec.encode())
for i, pol in enumerate(["version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\nmx1.example.net",
                         "version: STSv1\nmode: testing\nmode: none\nmx: a..b\nmax_age: 31557601\nfuture: x\na.b",
                         "version: STSv1\nmode: none\nmax_age: 86400\n"]):
    put("fuzz_mta_sts", "p%d" % i, b"\x01" + pol.encode())
for i, rec in enumerate(["v=TLSRPTv1; rua=mailto:tls@example.com,https://r.example.net/x", "v=TLSRPTv1;rua=mailto:a@b@c; x=1"]):
    put("fuzz_mta_sts", "t%d" % i, b"\x02" + rec.encode())
# fuzz_bimi: 0 + a BIMI record, 1 + an SVG document
for i, rec in enumerate(["v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem",
                         "v=BIMI1; l=; a=; lps=true; avp=personal", "v = BIMI1 ; l=https://a,b; x=1"]):
    put("fuzz_bimi", "r%d" % i, b"\x00" + rec.encode())
for i, svg in enumerate([
        '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 1 1"><title>E</title><circle r="1"/></svg>',
        '<!DOCTYPE svg [<!ENTITY a "b">]><svg x="1"><!-- c --><![CDATA[<script>]]><script/><use xlink:href="https://x/y#z" onload="f()"/></svg>',
        '<svg version="1.2" baseProfile="tiny-ps"><g><g><image href="x.png"/>']):
    put("fuzz_bimi", "s%d" % i, b"\x01" + svg.encode())
# fuzz_smtp_reply: greetings and EHLO replies as servers send them
for i, r in enumerate([b"220 mx.example.com ESMTP Postfix\r\n",
                       b"220-mx.example.com ESMTP\r\n220-please wait\r\n220 ready\r\n",
                       b"250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n"
                       b"250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n221 2.0.0 Bye\r\n",
                       b"554 5.7.1 no\n", b"421\r\n", b"HTTP/1.1 400 Bad Request\r\n",
                       b"250-a\r\n" * 300]):
    put("fuzz_smtp_reply", "r%d" % i, r)
