#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""fakedns.py [MAX_SECONDS]: a misbehaving DNS server on 127.0.0.1 (UDP and
TCP, same port) for the DNS fault matrix. Prints its port, then serves until
killed or MAX_SECONDS (default 300) have passed.

The first label of the question picks the behaviour, for names under
fault.test (e.g. MX servfail.fault.test). PTR questions for 198.51.100.0/24
are answered too (hostile reverse names, see REVERSE). Any other name: REFUSED."""
import sys
import threading
import time

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.MX
import dns.rdtypes.ANY.PTR
import dns.rdtypes.ANY.TXT
import dns.rrset

import dnsserve

ZONE = dns.name.from_text("fault.test.")
ADDR = "192.0.2.1"
drop_seen = set()
lock = threading.Lock()


def answer(q, *rrsets, rcode=dns.rcode.NOERROR):
    r = dns.message.make_response(q)
    r.flags |= dns.flags.AA
    r.set_rcode(rcode)
    for rr in rrsets:
        r.answer.append(rr)
    return r


def normal(q, qname, qtype, behaviour):
    """The well-behaved answer: MX to mx.<name>, A for anything."""
    if qtype == dns.rdatatype.MX:
        if behaviour == "bigmx":
            rr = dns.rrset.from_text(qname, 300, "IN", "MX",
                                     *["%d mx%d.%s" % (i, i, qname) for i in range(300)])
        elif behaviour == "binaryname":
            rr = dns.rrset.from_text(qname, 300, "IN", "MX", "10 \\255\\027[31m.%s" % qname)
        else:
            rr = dns.rrset.from_text(qname, 300, "IN", "MX", "10 mx.%s" % qname)
        return answer(q, rr)
    if qtype == dns.rdatatype.A:
        if "binaryname" in qname.to_text():
            return answer(q, rcode=dns.rcode.NXDOMAIN)
        return answer(q, dns.rrset.from_text(qname, 300, "IN", "A", ADDR))
    return answer(q)


# ---- hostile data for suite_hardening.sh (TXT sizes and bytes, name limits)
REVERSE = dns.name.from_text("100.51.198.in-addr.arpa.")
# A 63-octet label with a NUL and a dot inside: legal on the wire, and a name
# that prints as "\000" and "\." in presentation format.
BINLABEL = b"x\x00y.z" + b"b" * 58
# A 253-character name (the longest a presentation name can be).
LONGNAME = dns.name.from_text("%s.%s.%s.%s.longmx.fault.test." % ("a" * 63, "b" * 63, "c" * 63, "d" * 42))


def txt_rrset(qname, records):
    """An RRset of TXT records, each a list of byte strings (any bytes)."""
    rr = dns.rrset.RRset(qname, dns.rdataclass.IN, dns.rdatatype.TXT)
    rr.update_ttl(300)
    for strings in records:
        rr.add(dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, strings))
    return rr


def split255(data):
    return [data[i:i + 255] for i in range(0, len(data), 255)] or [b""]


def hostile_txt(qname, behaviour):
    """TXT answers at _dmarc.<name> and <sel>._domainkey.<name>."""
    labels = [l.lower() for l in qname.labels]
    dmarc = b"_dmarc" in labels
    dkim = b"_domainkey" in labels
    if not dmarc and not dkim:
        return None
    if behaviour == "bigtxt":  # 300 records, ~60 KB: only over TCP
        rec = (b"v=DMARC1; p=none; rua=mailto:r%03d@bigtxt.fault.test; x=" if dmarc
               else b"v=DKIM1; k=rsa; n=r%03d; p=")
        return txt_rrset(qname, [[(rec % i) + b"A" * (170 - len(rec))] for i in range(300)])
    if behaviour == "hugetxt":  # one record of 236 strings, ~60 KB
        head = b"v=DMARC1; p=reject; rua=mailto:" if dmarc else b"v=DKIM1; k=rsa; p="
        return txt_rrset(qname, [split255(head + b"Q" * (60000 - len(head)))])
    if behaviour == "badtxt":  # NUL, ESC, 0xff and other C0 bytes in tag values
        if dmarc:
            return txt_rrset(qname, [[b"v=DMARC1; p=reject; rua=mailto:\x1b[31mevil\x00@\xff\xfe.test; ",
                                      b"ruf=mailto:x@y\x07\x08\r\n.test; x=\x1b]0;title\x07"]])
        return txt_rrset(qname, [[b"v=DKIM1; k=rsa; n=\x1b[2J\x00\xff\xc3(; p=\x1b[31m\xffAAAA\x00"]])
    if behaviour == "badtxtv":  # the bytes in the version tag itself
        if dmarc:
            return txt_rrset(qname, [[b"v=DMARC1\x00\x1b[0m; p=reject"], [b"v=\xffDMARC1; p=none"]])
        return txt_rrset(qname, [[b"v=DKIM1\x1b; k=rsa\x00; p=\xff\xfe"]])
    return None


def hostile_ptr(q, qname, qtype):
    """PTR 1.100.51.198.in-addr.arpa -> a name with BINLABEL, .2 -> a
    253-character name; A of those names answers the address back."""
    if qtype != dns.rdatatype.PTR:
        return answer(q)
    last = qname.labels[0]
    if last == b"1":
        target = dns.name.Name((BINLABEL, b"ptrbin", b"fault", b"test", b""))
    elif last == b"2":
        target = LONGNAME
    else:
        return answer(q, rcode=dns.rcode.NXDOMAIN)
    rr = dns.rrset.RRset(qname, dns.rdataclass.IN, dns.rdatatype.PTR)
    rr.update_ttl(300)
    rr.add(dns.rdtypes.ANY.PTR.PTR(dns.rdataclass.IN, dns.rdatatype.PTR, target))
    return answer(q, rr)


def hostile_name(q, qname, qtype, behaviour):
    """dotname: MX to a name whose first label holds a NUL and a dot; only that
    exact name has no address (a resolver that mangles it finds one).
    ptrbin: A of the binary PTR name is 198.51.100.1, nothing else has one.
    longmx: MX to a 253-character name, which has an address.
    yxdomain: a DNAME whose substitution would overflow (RFC 6672 2.2)."""
    # Only the exact name: one read with "\." or "\000" undone is another name.
    binary = qname.labels[0] == BINLABEL
    if behaviour == "dotname":
        if qtype == dns.rdatatype.MX:
            target = dns.name.Name((BINLABEL, b"dotname", b"fault", b"test", b""))
            rr = dns.rrset.RRset(qname, dns.rdataclass.IN, dns.rdatatype.MX)
            rr.update_ttl(300)
            rr.add(dns.rdtypes.ANY.MX.MX(dns.rdataclass.IN, dns.rdatatype.MX, 10, target))
            return answer(q, rr)
        if qtype == dns.rdatatype.A and not binary:
            return answer(q, dns.rrset.from_text(qname, 300, "IN", "A", ADDR))
        return answer(q, rcode=dns.rcode.NXDOMAIN)
    if behaviour == "ptrbin":
        if qtype == dns.rdatatype.A and binary:
            return answer(q, dns.rrset.from_text(qname, 300, "IN", "A", "198.51.100.1"))
        return answer(q, rcode=dns.rcode.NXDOMAIN)
    if behaviour == "longmx":
        if qtype == dns.rdatatype.MX and len(qname.labels) == 4:
            return answer(q, dns.rrset.from_text(qname, 300, "IN", "MX", "10 " + LONGNAME.to_text()))
        if qtype == dns.rdatatype.A:
            return answer(q, dns.rrset.from_text(qname, 300, "IN", "A",
                                                 "198.51.100.2" if qname == LONGNAME else ADDR))
        return answer(q)
    if behaviour == "yxdomain":
        dname = dns.rrset.from_text(dns.name.from_text("yxdomain.fault.test."), 300, "IN", "DNAME",
                                    "%s.%s.%s.x.fault.test." % ("e" * 63, "f" * 63, "g" * 63))
        return answer(q, dname, rcode=dns.rcode.YXDOMAIN)
    return None


def fit(q, r, via_tcp):
    """r's wire form, or an empty truncated answer when it is too large for
    UDP (EDNS 1232), so the client asks again over TCP."""
    wire = r.to_wire(max_size=65535)
    if not via_tcp and len(wire) > 1232:
        t = answer(q)
        t.flags |= dns.flags.TC
        return t.to_wire()
    return wire


def respond(data, via_tcp):
    """Returns the bytes to send back, or None for silence."""
    try:
        q = dns.message.from_wire(data)
    except Exception:
        return None
    question = q.question[0]
    qname, qtype = question.name, question.rdtype
    if qname.is_subdomain(REVERSE) and qname != REVERSE:
        return hostile_ptr(q, qname, qtype).to_wire(max_size=65535)
    if not qname.is_subdomain(ZONE) or qname == ZONE:
        return answer(q, rcode=dns.rcode.REFUSED).to_wire()
    rel = qname.relativize(ZONE).labels
    behaviour = rel[-1].decode("ascii", "replace")
    if behaviour == "ok":
        return normal(q, qname, qtype, behaviour).to_wire()
    if behaviour == "spfinclude":
        # suite_spf.sh: an SPF record whose include never answers
        if qtype == dns.rdatatype.TXT and len(rel) == 1:
            return answer(q, dns.rrset.from_text(qname, 300, "IN", "TXT",
                                                 '"v=spf1 include:x.silent.fault.test ip4:192.0.2.10 -all"')).to_wire()
        return answer(q).to_wire()
    if behaviour == "ttl1":
        # the cache's TTLs (suite_dns_layer.sh): an address kept 1 s
        return answer(q, dns.rrset.from_text(qname, 1, "IN", "A", ADDR)).to_wire()
    if behaviour in ("negttl1", "negttl300", "nosoa"):
        # negative caching (RFC 2308): NXDOMAIN with an SOA whose minimum is
        # 1 or 300 s, or with no SOA (not to be cached)
        r = answer(q, rcode=dns.rcode.NXDOMAIN)
        if behaviour != "nosoa":
            m = 1 if behaviour == "negttl1" else 300
            r.authority.append(dns.rrset.from_text(ZONE, 300, "IN", "SOA",
                                                   "ns.fault.test. h.fault.test. 1 3600 600 86400 %d" % m))
        return r.to_wire()
    if behaviour == "othersource":
        # a right answer from the wrong port (spoofed): never accepted
        return dnsserve.OtherSource(normal(q, qname, qtype, behaviour).to_wire())
    if behaviour == "servfail":
        return answer(q, rcode=dns.rcode.SERVFAIL).to_wire()
    if behaviour == "refused":
        return answer(q, rcode=dns.rcode.REFUSED).to_wire()
    if behaviour == "formerr":
        return answer(q, rcode=dns.rcode.FORMERR).to_wire()
    if behaviour == "notimp":
        return answer(q, rcode=dns.rcode.NOTIMP).to_wire()
    if behaviour == "wrongid":
        r = normal(q, qname, qtype, behaviour)
        r.id = (q.id + 1) & 0xFFFF
        return r.to_wire()
    if behaviour == "wrongq":
        other = dns.message.make_query(dns.name.from_text("other.fault.test."), qtype)
        other.id = q.id
        return normal(other, other.question[0].name, qtype, "ok").to_wire()
    if behaviour == "garbage":
        return data[:2] + b"\x84\x00\x00\x01\x00\x05\x00\x00\x00\x00\xff\xff\xff"
    if behaviour == "silent":
        return None
    if behaviour == "late":
        time.sleep(2.5)
        return normal(q, qname, qtype, behaviour).to_wire()
    if behaviour in ("trunc", "trunctcpclose", "bigmx"):
        if not via_tcp and behaviour != "bigmx":
            r = answer(q)
            r.flags |= dns.flags.TC
            return r.to_wire()
        if via_tcp and behaviour == "trunctcpclose":
            return b""  # close the connection without a reply
        r = normal(q, qname, qtype, behaviour)
        return fit(q, r, via_tcp)
    if behaviour == "cnameloop":
        return answer(q, dns.rrset.from_text(qname, 300, "IN", "CNAME", qname.to_text())).to_wire()
    if behaviour == "longchain":
        rrs = []
        for i in range(12):
            owner = qname if i == 0 else "c%d.%s" % (i, qname)
            rrs.append(dns.rrset.from_text(owner, 300, "IN", "CNAME", "c%d.%s" % (i + 1, qname)))
        return answer(q, *rrs).to_wire()
    if behaviour == "slow":
        time.sleep(0.2)
        return normal(q, qname, qtype, behaviour).to_wire()
    if behaviour == "dropfirst":
        key = (qname, qtype, via_tcp)
        with lock:
            first = key not in drop_seen
            drop_seen.add(key)
        if first:
            return None
        return normal(q, qname, qtype, behaviour).to_wire()
    if behaviour == "binaryname":
        return normal(q, qname, qtype, behaviour).to_wire()
    if behaviour in ("bigtxt", "hugetxt", "badtxt", "badtxtv"):
        rr = hostile_txt(qname, behaviour) if qtype == dns.rdatatype.TXT else None
        r = answer(q, rr) if rr else normal(q, qname, qtype, behaviour)
        return fit(q, r, via_tcp)
    if behaviour in ("dotname", "ptrbin", "longmx", "yxdomain"):
        return hostile_name(q, qname, qtype, behaviour).to_wire()
    return answer(q, rcode=dns.rcode.NXDOMAIN).to_wire()


def main():
    dnsserve.serve(respond, float(sys.argv[1]) if len(sys.argv) > 1 else 300.0, "fakedns")


main()
