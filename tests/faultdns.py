#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""faultdns.py UPSTREAM_PORT RULES LOG [MAX_SECONDS]: a DNS forwarder on
127.0.0.1 (UDP and TCP, same port) that injects faults, for the sweeps.
Prints its port, then serves until killed or MAX_SECONDS (default 1800).

Every question is forwarded to 127.0.0.1#UPSTREAM_PORT (UDP over UDP, TCP
over TCP) and the answer relayed as it is; an upstream silent for 2 s gets
no answer. Each question is appended to LOG as "QNAME QTYPE" (lower case,
no trailing dot). RULES is read again on each question (it changes between
runs); its lines "QNAME QTYPE FAULT" ("*" matches any name or type) make
matching questions get FAULT instead: servfail, refused, nxdomain, nodata
(NOERROR and no record; all four with the same ID, the question echoed and
RA set) or timeout (no answer at all)."""
import socket
import sys
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype

import dnsserve

UPSTREAM = ("127.0.0.1", int(sys.argv[1]))
RULES, LOG = sys.argv[2], sys.argv[3]
RCODES = {"servfail": dns.rcode.SERVFAIL, "refused": dns.rcode.REFUSED,
          "nxdomain": dns.rcode.NXDOMAIN, "nodata": dns.rcode.NOERROR}
log_lock = threading.Lock()


def question(data):
    """(message, qname, qtype) of a query, or None when it does not parse."""
    try:
        q = dns.message.from_wire(data)
        qq = q.question[0]
    except Exception:
        return None
    name = qq.name.to_text(omit_final_dot=True).lower()
    return q, name, dns.rdatatype.to_text(qq.rdtype)


def fault_for(name, qtype):
    try:
        with open(RULES, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        w = line.split()
        if len(w) == 3 and w[0].lower() in ("*", name) and w[1].upper() in ("*", qtype):
            return w[2].lower()
    return None


def respond(data, via_tcp):
    """The bytes to send back, or None for silence."""
    parsed = question(data)
    if parsed is None:
        return None
    q, name, qtype = parsed
    with log_lock, open(LOG, "a", encoding="utf-8") as f:
        f.write("%s %s\n" % (name, qtype))
    fault = fault_for(name, qtype)
    if fault == "timeout":
        return None
    if fault in RCODES:
        r = dns.message.make_response(q)
        r.flags |= dns.flags.RA
        r.set_rcode(RCODES[fault])
        return r.to_wire()
    return forward_tcp(data) if via_tcp else forward_udp(data)


def forward_udp(data):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        try:
            s.sendto(data, UPSTREAM)
            return s.recv(65535)
        except OSError:
            return None


def forward_tcp(data):
    try:
        with socket.create_connection(UPSTREAM, timeout=2) as s:
            s.sendall(len(data).to_bytes(2, "big") + data)
            hdr = dnsserve.recv_exact(s, 2)
            return dnsserve.recv_exact(s, int.from_bytes(hdr, "big")) if hdr else None
    except OSError:
        return None


def main():
    dnsserve.serve(respond, float(sys.argv[4]) if len(sys.argv) > 4 else 1800.0, "faultdns")


main()
