#!/usr/bin/python3
"""fakedns.py [MAX_SECONDS]: a misbehaving DNS server on 127.0.0.1 (UDP and
TCP, same port) for the DNS fault matrix. Prints its port, then serves until
killed or MAX_SECONDS (default 300) have passed.

The first label of the question picks the behaviour, for names under
fault.test (e.g. MX servfail.fault.test). Any other name: REFUSED."""
import socket
import sys
import threading
import time

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

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


def respond(data, via_tcp):
    """Returns the bytes to send back, or None for silence."""
    try:
        q = dns.message.from_wire(data)
    except Exception:
        return None
    question = q.question[0]
    qname, qtype = question.name, question.rdtype
    if not qname.is_subdomain(ZONE) or qname == ZONE:
        return answer(q, rcode=dns.rcode.REFUSED).to_wire()
    rel = qname.relativize(ZONE).labels
    behaviour = rel[-1].decode("ascii", "replace")
    if behaviour == "ok":
        return normal(q, qname, qtype, behaviour).to_wire()
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
        wire = r.to_wire(max_size=65535)
        if not via_tcp and len(wire) > 1232:
            t = answer(q)
            t.flags |= dns.flags.TC
            return t.to_wire()
        return wire
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
    return answer(q, rcode=dns.rcode.NXDOMAIN).to_wire()


def udp_loop(sock):
    while True:
        data, peer = sock.recvfrom(65535)
        threading.Thread(target=udp_one, args=(sock, data, peer), daemon=True).start()


def udp_one(sock, data, peer):
    reply = respond(data, False)
    if reply:
        sock.sendto(reply, peer)


def tcp_one(conn):
    with conn:
        try:
            hdr = conn.recv(2)
            if len(hdr) < 2:
                return
            n = int.from_bytes(hdr, "big")
            data = b""
            while len(data) < n:
                chunk = conn.recv(n - len(data))
                if not chunk:
                    return
                data += chunk
            reply = respond(data, True)
            if reply:
                conn.sendall(len(reply).to_bytes(2, "big") + reply)
        except OSError:
            pass


def tcp_loop(sock):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=tcp_one, args=(conn,), daemon=True).start()


def main():
    max_seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 300.0
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    port = udp.getsockname()[1]
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("127.0.0.1", port))
    tcp.listen(64)
    threading.Thread(target=udp_loop, args=(udp,), daemon=True).start()
    threading.Thread(target=tcp_loop, args=(tcp,), daemon=True).start()
    print(port, flush=True)
    time.sleep(max_seconds)


main()
