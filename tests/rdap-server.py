#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""rdap-server.py: RDAP (HTTP) and WHOIS (TCP) servers on loopback for the tests.

usage: rdap-server.py FIXTURES BOOTDIR PORTFILE LOGFILE [CERT KEY]

Serves the real RDAP responses of FIXTURES (shared/fixtures/rdap) and a few
synthetic ones, writes IANA-style bootstrap files (ipv4.json, ipv6.json,
dns.json) pointing at itself into BOOTDIR, then "HTTPPORT WHOISPORT CLOSEDPORT"
into PORTFILE. Every HTTP request path is appended to LOGFILE.

HTTP routes (path prefixes):
  /boot/NAME, /iana/NAME   the bootstrap files (/iana/: 503 while a file
                           BOOTDIR.down exists, for the cache's stale copy)
  /rir/R/ip/ADDR           the network of ADDR; a redirect (301) to the right
                           "RIR" when R is not the one holding it; 404 if unknown
  /reg/domain/NAME         registry answers; /registrar/domain/NAME registrar ones
  /e404/ /e500/            that status with an RDAP error body
  /e429/                   429 with Retry-After: 1, every time
  /e429once/REST           429 with Retry-After: 1 the first time, then REST
  /trunc/                  Content-Length larger than the body, then close
  /slow/                   half a body, then 30 s of silence
  /big/                    3 MiB without Content-Length
  /badjson/                a body that is not JSON
  /loop/N/REST             an endless chain of redirects
  /hostile/ip/ADDR, /hostile/domain/NAME.hostile
                           hostile answers for suite_hardening.sh, picked by
                           ADDR (HOSTILE_IPS) or NAME: JSON nested 10,000
                           deep, 50 MB bodies, a gzip bomb, bodies that stall
                           or are cut mid-chunk, a byte every 0.2 s
  /plainonly/REST          REST; the target of the https->http redirects,
                           which must never be requested
  /paced/REST              REST after 0.1 s; logs "paced TIME INFLIGHT PATH"
                           first (INFLIGHT: paced requests being served, this
                           one included), for suite_rdap_batch.sh
  /first429/REST           REST, except that the first request for an /ip/
                           ever gets a 429 with Retry-After: 1 (logged as
                           "429 TIME PATH")
  /close/REST              REST, then the connection is closed
  Every new connection is logged as "conn TIME [tls: [resumed]]" (resumed:
  a TLS session the client kept from an earlier connection).
  Under /paced/, /first429/ and /close/ the bootstrap files point back under the same
  prefix, so every request an audit makes goes through it.

With CERT and KEY, an https server (same routes) also runs, and PORTFILE gets
its port as a fourth field. Its bootstrap files are in BOOTDIR/tls (pointing
at itself) and BOOTDIR/tlsplain (pointing at /toplain/ on itself); on it
  /tlsboot/NAME            BOOTDIR/tls/NAME; /tlsplain/NAME: BOOTDIR/tlsplain/NAME
  /toplain/REST            a redirect to http://(the http server)/plainonly/REST
  /bootplain/NAME          a redirect to http://(the http server)/plainonly/boot/NAME
WHOIS (port 43 protocol): "whoistld" -> "refer: 127.0.0.1"; domains below it
answer from WHOIS_DOMAINS.
"""

import datetime
import gzip
import json
import os
import socket
import socketserver
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FIX, BOOT, PORTFILE, LOG = sys.argv[1:5]
TLS_FILES = sys.argv[5:7]
PLAIN = {}  # "base": the http server's base URL, for the https->http redirects
NOW = datetime.datetime.now(datetime.timezone.utc)


def ago(days):
    return (NOW - datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def load(name):
    with open(os.path.join(FIX, name), encoding="utf-8") as f:
        return f.read()


def vcard(fn=None, org=None, email=None, kind="individual"):
    props = [["version", {}, "text", "4.0"], ["kind", {}, "text", kind]]
    if fn is not None:
        props.append(["fn", {}, "text", fn])
    if org is not None:
        props.append(["org", {}, "text", org])
    if email is not None:
        props.append(["email", {}, "text", email])
    return ["vcard", props]


def entity(roles, handle=None, ents=None, **card):
    e = {"objectClassName": "entity", "roles": roles}
    if handle:
        e["handle"] = handle
    if card:
        e["vcardArray"] = vcard(**card)
    if ents:
        e["entities"] = ents
    return e


# --------------------------------------------------------------- IP networks
# address -> (rir, fixture file or synthetic object)
IPS = {
    "74.125.225.229": ("arin", "arin-ip-74.125.225.229.json"),
    "2001:4860:4860::8888": ("arin", "arin-ip-2001-4860-4860--8888.json"),
    "13.64.0.1": ("arin", "arin-ip-13.64.0.0.json"),
    "192.198.0.5": ("arin", "arin-ip-192.198.0.0.json"),
    "62.239.237.1": ("ripe", "ripe-ip-62.239.237.1.json"),
    "130.59.31.80": ("ripe", "ripe-ip-130.59.31.80.json"),
    "2a00:2381:ffff::1": ("ripe", "ripe-ip-2a00-2381-ffff--1.json"),
    "210.107.73.73": ("apnic", "apnic-ip-210.107.73.73.json"),
    "1.1.1.1": ("apnic", "apnic-ip-1.1.1.1.json"),
    "200.57.141.161": ("lacnic", "lacnic-ip-200.57.141.161.json"),
    "196.11.240.215": ("afrinic", "afrinic-ip-196.11.240.215.json"),
    "2001:43f8:7b0::": ("afrinic", "afrinic-ip-2001-43f8-7b0--.json"),
}


def net(start, end, name, holder, ents, v=4, typ="ASSIGNED PA"):
    return {
        "objectClassName": "ip network", "rdapConformance": ["rdap_level_0"],
        "handle": "NET-" + name, "name": name, "type": typ, "ipVersion": "v%d" % v,
        "startAddress": start, "endAddress": end,
        "entities": [entity(["registrant"], "ORG-" + name, org=holder, fn=holder, kind="org")] + ents,
    }


SYN_IPS = {
    # the sender's own documented /29 with an abuse-c
    "192.0.2.10": net("192.0.2.8", "192.0.2.15", "GOOD-TEST-NET", "Good Test Ltd",
                      [entity(["abuse"], "GT-ABUSE", fn="Abuse desk", email="abuse@good.test")]),
    # a provider /24 with an abuse entity that has no e-mail
    "192.0.2.20": net("192.0.2.0", "192.0.2.255", "EXAMPLE-HOSTING", "Example Hosting Inc",
                      [entity(["abuse"], "EH-ABUSE", fn="Abuse desk")], typ="ALLOCATED PA"),
    # a single address of an unrelated holder, abuse nested ARIN-style
    "192.0.2.30": {
        "objectClassName": "ip network", "handle": "NET-192-0-2-30-1", "name": "OTHER-1",
        "startAddress": "192.0.2.30", "endAddress": "192.0.2.30", "type": "REASSIGNED",
        "entities": [entity(["registrant"], "OTHER", fn="Other Corp", kind="org",
                            ents=[entity(["abuse", "technical"], "OC-ARIN", fn="Other NOC",
                                         email="noc@other.example")])],
    },
    # an answer for a network that does not hold the address
    "192.0.2.40": net("10.0.0.0", "10.255.255.255", "ELSEWHERE", "Elsewhere", []),
    # served once 429 first
    "198.51.100.130": net("198.51.100.128", "198.51.100.143", "RATE-NET", "Good Test Ltd",
                          [entity(["abuse"], "RN-ABUSE", email="abuse@good.test")]),
    "2001:db8::25": net("2001:db8::", "2001:db8:0:ffff:ffff:ffff:ffff:ffff", "GOOD-TEST-V6", "Good Test Ltd",
                        [entity(["abuse"], "GT6-ABUSE", email="abuse@good.test")], v=6),
}
for a in SYN_IPS:
    IPS[a] = ("ripe", SYN_IPS[a])


# --------------------------------------------------------------- domains
def registrar(name="Example Registrar, Inc.", abuse="abuse@registrar.example"):
    ents = [entity(["abuse"], fn="Abuse contact", email=abuse)] if abuse else None
    return entity(["registrar"], "9999", ents=ents, fn=name, kind="org")


def domain(name, registered=800, expires=-365, status=("active",), ents=(), extra=None, links=()):
    d = {
        "objectClassName": "domain", "ldhName": name, "handle": name.upper() + "-TEST",
        "rdapConformance": ["rdap_level_0", "icann_rdap_response_profile_0"],
        "status": list(status),
        "events": [{"eventAction": "registration", "eventDate": ago(registered)},
                   {"eventAction": "expiration", "eventDate": ago(expires)}],
        "entities": list(ents),
        "links": list(links),
    }
    if extra:
        d.update(extra)
    return d


GOOD_REG = entity(["registrant"], "C1", fn="Jane Doe", org="Good Test Ltd", email="hostmaster@good.test")
DOMAINS = {
    "good.test": domain("good.test", ents=[registrar(), GOOD_REG]),
    "new.test": domain("new.test", registered=5, ents=[registrar(), GOOD_REG]),
    "expiring.test": domain("expiring.test", expires=-10, ents=[registrar(), GOOD_REG]),
    # other zone forms: offsets without colon, fractions, no zone
    "dates.test": domain("dates.test", ents=[registrar(), GOOD_REG], extra={"events": [
        {"eventAction": "registration", "eventDate": "2001-02-03T04:05:06.789+0100"},
        {"eventAction": "expiration", "eventDate": (NOW + datetime.timedelta(days=400)).strftime("%Y-%m-%dT%H:%M:%S")}]}),
    "hold.test": domain("hold.test", status=["client hold", "client transfer prohibited"], ents=[registrar(), GOOD_REG]),
    "redemption.test": domain("redemption.test", status=["redemption period"], ents=[registrar(), GOOD_REG]),
    "pending.test": domain("pending.test", status=["pendingDelete"], ents=[registrar(), GOOD_REG]),
    # GoDaddy-style registrar answer with Domains By Proxy as registrant
    "dbp.test": domain("dbp.test", ents=[
        registrar("GoDaddy.com, LLC", "abuse@godaddy.com"),
        entity(["registrant"], fn="Registration Private", org="Domains By Proxy, LLC",
               email="dbp.test@domainsbyproxy.com")]),
    "proxyrole.test": domain("proxyrole.test", ents=[
        registrar(), entity(["registrant"], fn="Jane Doe", org="Some Shield Ltd"),
        entity(["proxy"], fn="Some Shield Ltd", org="Some Shield Ltd")]),
    "gdpr.test": domain("gdpr.test", ents=[registrar(), entity(["registrant"], "R1", fn="")], extra={
        "rdapConformance": ["rdap_level_0", "redacted"],
        "redacted": [{"name": {"type": "Registrant Name"}, "prePath": "$.entities[?(@.roles[0]=='registrant')].vcardArray[1][?(@[0]=='fn')][3]", "method": "emptyValue", "pathLang": "jsonpath"},
                     {"name": {"type": "Registrant Email"}, "method": "removal"}]}),
    "noabuse.test": domain("noabuse.test", ents=[registrar(abuse=None), GOOD_REG]),
    "thin.test": domain("thin.test", ents=[registrar()], links=[
        {"rel": "related", "type": "application/rdap+json", "href": "@BASE@/registrar/domain/thin.test"}]),
    "thinbad.test": domain("thinbad.test", ents=[registrar()], links=[
        {"rel": "related", "type": "application/rdap+json", "href": "@BASE@/e500/domain/thinbad.test"}]),
    "errobj.test": '{"errorCode": 400, "title": "Bad request", "description": ["nope"]}',
    "google.com": "verisign-domain-google.com.json",
    "home.moscow": "fir-domain-home.moscow-redacted.json",
    "bitcoin.org": "namecheap-domain-bitcoin.org-privacy-whoisguard.json",
    "deep.surf": "namecheap-domain-deep.surf-privacy-withheldforprivacy.json",
    "example.com": "rfc9537-redaction/icann-rdap-lookup_with_redaction.json",
}
REGISTRARS = {
    "google.com": "markmonitor-domain-google.com.json",
    "thin.test": domain("thin.test", ents=[registrar(), GOOD_REG]),
}

WHOIS_DOMAINS = {
    "good.whoistld": "Domain Name: GOOD.WHOISTLD\r\nRegistrar: Example Registrar\r\nCreation Date: %s\r\n"
                     "Registry Expiry Date: %s\r\nDomain Status: ok https://icann.org/epp#ok\r\n"
                     "Registrant Organization: Good Test Ltd\r\nRegistrar Abuse Contact Email: abuse@registrar.example\r\n"
                     % (ago(900), ago(-300)),
    "dbp.whoistld": "Domain Name: DBP.WHOISTLD\r\nCreation Date: %s\r\nRegistry Expiry Date: %s\r\n"
                    "Registrant Organization: Domains By Proxy, LLC\r\n" % (ago(900), ago(-300)),
    "hold.whoistld": "Domain Name: HOLD.WHOISTLD\r\nCreation Date: %s\r\nDomain Status: clientHold https://icann.org/epp#clientHold\r\n"
                     "Registrant Organization: REDACTED FOR PRIVACY\r\n" % ago(900),
}


def rewrite(text, base):
    text = text.replace("\\/", "/").replace("@BASE@", base)
    return text.replace("https://rdap.markmonitor.com/rdap/", base + "/registrar/")


# --------------------------------------------------------------- hostile answers
DEPTH = 10000
HUGE = 50 * 1000 * 1000
HOSTILE_IPS = {
    "198.51.100.145": "deep", "198.51.100.146": "deeparr", "198.51.100.147": "deepent",
    "198.51.100.148": "hugecl", "198.51.100.149": "hugechunk", "198.51.100.150": "gzipbomb",
    "198.51.100.151": "stallchunk", "198.51.100.152": "cutchunk", "198.51.100.153": "cutclose",
    "198.51.100.154": "drip", "198.51.100.155": "ctl",
}
# Terminal control sequences (and a NUL, which cJSON cuts strings at) in the
# names and e-mail addresses that reach the report.
CTL = "Evil\u001b[31m\u009b2J\u001b]0;pwned\u0007 Ltd\u007f\u0000hidden"
_gzip_bomb = []
_gzip_lock = threading.Lock()


def gzip_bomb():
    """50 MB of JSON whitespace, gzipped to about 50 KB (made once, ahead of
    its case: the first hostile request starts it, so no case waits for it)."""
    with _gzip_lock:
        if not _gzip_bomb:
            _gzip_bomb.append(gzip.compress(b'{"a": "' + b" " * HUGE + b'"}', 9))
        return _gzip_bomb[0]


def hostile_object(kind, what):
    """A valid answer of the asked kind (ip network or domain) with extra."""
    if kind == "ip":
        o = net("198.51.100.144", "198.51.100.159", "HOSTILE", "Hostile Ltd",
                [entity(["abuse"], "H-ABUSE", email="abuse@hostile.example")])
    else:
        o = domain(what, ents=[registrar(), GOOD_REG])
    return json.dumps(o)[:-1]  # open: the caller adds members and "}"


def nested_entities(depth):
    """Registrant entities nested depth deep (2 JSON levels each): deep but
    under cJSON's 1000-level limit, so parsed and walked."""
    e = entity(["abuse"], "INNER", email="abuse@hostile.example")
    for i in range(depth):
        e = entity(["registrant"], "E%d" % i, ents=[e])
    return e


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    once = set()
    lock = threading.Lock()
    paced_inflight = [0]
    fired429 = [False]

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        """Each connection is logged ("conn TIME [tls:]"), for the tests of
        keep-alive and of connections kept across a batch's audits."""
        super().setup()
        reused = getattr(self.connection, "session_reused", False)
        self.note("conn", getattr(self.server, "log_prefix", "") + (" resumed" if reused else ""))

    def send(self, code, body, ctype="application/rdap+json", headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def error(self, code, title, headers=()):
        self.send(code, json.dumps({"errorCode": code, "title": title}), headers=headers)

    def redirect(self, code, loc):
        self.send_response(code)
        self.send_header("Location", loc)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def obj(self, v):
        if isinstance(v, dict):
            return json.dumps(v)
        if v.lstrip().startswith("{"):
            return v
        return load(v)

    def do_GET(self):
        with open(LOG, "a") as f:
            f.write(getattr(self.server, "log_prefix", "") + self.path + "\n")
        self.route(self.path)

    def head(self, ctype="application/rdap+json", headers=()):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def hostile(self, kind, what, how):
        """Each answer is written fast (except the slow ones); the client
        hangs up on the big ones, so write errors are expected."""
        self.close_connection = True
        if not _gzip_bomb and not _gzip_lock.locked():
            threading.Thread(target=gzip_bomb, daemon=True).start()
        filler = b'{"description": ["' + b"x" * 65000 + b'"]},'
        try:
            if how == "deep":
                return self.send(200, hostile_object(kind, what) + ', "a": ' + "[" * DEPTH + "]" * DEPTH + "}")
            if how == "deeparr":
                return self.send(200, "[" * DEPTH + "]" * DEPTH)
            if how == "ctl":
                if kind == "ip":
                    o = net("198.51.100.144", "198.51.100.159", "CTL\u001b[2J", CTL,
                            [entity(["abuse"], "H-ABUSE", fn=CTL, email="abuse\u001b[31m@hostile.example")])
                else:
                    o = domain(what, status=["active", "client\u001bhold"], ents=[
                        registrar(CTL, "abuse\u0007@registrar.example"),
                        entity(["registrant"], fn=CTL, org=CTL, email="x\u001b@y.example")])
                return self.send(200, json.dumps(o))
            if how == "deepent":
                o = json.loads(hostile_object(kind, what) + "}")
                o["entities"] = [nested_entities(450)]
                return self.send(200, json.dumps(o))
            if how == "hugecl":
                self.head(headers=[("Content-Length", str(HUGE))])
                self.wfile.write(b'{"remarks": [')
                for _ in range(HUGE // len(filler)):
                    self.wfile.write(filler)
                return
            if how == "hugechunk":
                self.head(headers=[("Transfer-Encoding", "chunked")])
                self.chunk(b'{"remarks": [')
                for _ in range(HUGE // len(filler)):
                    self.chunk(filler)
                self.chunk(b'{}]}')
                self.chunk(b"")
                return
            if how == "gzipbomb":
                body = gzip_bomb()
                self.head(headers=[("Content-Encoding", "gzip"), ("Content-Length", str(len(body)))])
                self.wfile.write(body)
                return
            if how in ("stallchunk", "cutchunk"):
                self.head(headers=[("Transfer-Encoding", "chunked")])
                self.chunk(hostile_object(kind, what).encode() + b', "remarks": [')
                self.wfile.flush()
                if how == "stallchunk":
                    time.sleep(30)
                return  # cutchunk: closed without the last chunk
            if how == "cutclose":  # no length: the close ends the body, mid-JSON
                self.head(headers=[("Connection", "close")])
                self.wfile.write(hostile_object(kind, what).encode() + b', "remarks": [{"descr')
                return
            if how == "drip":  # never idle for long, never done in time
                self.head(headers=[("Content-Length", "5000")])
                for _ in range(5000):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.2)
                return
        except OSError:
            return
        return self.error(404, "Not Found")

    def note(self, kind, rest):
        with open(LOG, "a") as f:
            f.write("%s %.3f %s\n" % (kind, time.time(), rest))

    def paced(self, p, prefix):
        """Counted while it sleeps; the count drops before the answer is
        sent, so it never exceeds what the client has in flight."""
        with self.lock:
            self.paced_inflight[0] += 1
            n = self.paced_inflight[0]
        self.note("paced", "%d %s" % (n, p))
        time.sleep(0.1)
        with self.lock:
            self.paced_inflight[0] -= 1
        return self.route(p[len("/paced"):], prefix + "/paced")

    def first429(self, p, prefix):
        with self.lock:
            fire = "/ip/" in p and not self.fired429[0]
            if fire:
                self.fired429[0] = True
        if fire:
            self.note("429", p)
            return self.error(429, "Too Many Requests", headers=[("Retry-After", "1")])
        return self.route(p[len("/first429"):], prefix + "/first429")

    def route(self, p, prefix=""):
        # Redirects go back to the host the client named (a test name that only
        # the suite's NSD resolves, for the client's own resolution of each hop).
        host = self.headers.get("Host") or "127.0.0.1:%d" % self.server.server_address[1]
        base = "%s://%s" % (getattr(self.server, "scheme", "http"), host)
        parts = p.split("/")
        if p.startswith("/paced/"):
            return self.paced(p, prefix)
        if p.startswith("/first429/"):
            return self.first429(p, prefix)
        if p.startswith("/close/"):
            self.close_connection = True
            return self.route(p[len("/close"):], prefix + "/close")
        if p.startswith("/iana/") and os.path.exists(BOOT + ".down"):
            return self.error(503, "Service Unavailable")
        if p.startswith("/boot/") or p.startswith("/iana/"):
            try:
                with open(os.path.join(BOOT, parts[2]), "rb") as f:
                    body = f.read()
            except OSError:
                return self.error(404, "no such file")
            if prefix:
                body = body.replace(('"%s/' % base).encode(), ('"%s%s/' % (base, prefix)).encode())
            return self.send(200, body, "application/json")
        if p.startswith("/rir/") and len(parts) >= 5 and parts[3] == "ip":
            addr = "/".join(parts[4:])
            if addr not in IPS:
                return self.error(404, "Not Found")
            rir, v = IPS[addr]
            if rir != parts[2]:
                return self.redirect(301, "%s/rir/%s/ip/%s" % (base, rir, addr))
            return self.send(200, self.obj(v))
        if p.startswith("/reg/domain/") or p.startswith("/registrar/domain/"):
            table = DOMAINS if parts[1] == "reg" else REGISTRARS
            name = parts[3].lower()
            if name not in table:
                return self.error(404, "Not Found")
            return self.send(200, rewrite(self.obj(table[name]), base))
        if p.startswith("/e404/"):
            return self.error(404, "Not Found")
        if p.startswith("/e500/"):
            return self.error(500, "Internal Server Error")
        if p.startswith("/e429/"):
            return self.error(429, "Too Many Requests", headers=[("Retry-After", "1")])
        if p.startswith("/e429once/"):
            with self.lock:
                first = p not in self.once
                self.once.add(p)
            if first:
                return self.error(429, "Too Many Requests", headers=[("Retry-After", "1")])
            return self.route(p[len("/e429once"):])
        if p.startswith("/trunc/"):
            self.send_response(200)
            self.send_header("Content-Type", "application/rdap+json")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b'{"objectClassName": "ip network", "handle": "TRUNC')
            self.wfile.flush()
            self.close_connection = True
            return
        if p.startswith("/slow/"):
            self.send_response(200)
            self.send_header("Content-Type", "application/rdap+json")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b'{"objectClassName": ')
            self.wfile.flush()
            time.sleep(30)
            self.close_connection = True
            return
        if p.startswith("/big/"):
            self.send_response(200)
            self.send_header("Content-Type", "application/rdap+json")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b'{"remarks": [')
            chunk = b'{"description": ["' + b"x" * 1000 + b'"]},'
            try:
                for _ in range(3 * 1024):
                    self.wfile.write(chunk)
                self.wfile.write(b'{}]}')
            except OSError:
                pass
            self.close_connection = True
            return
        if p.startswith("/badjson/"):
            return self.send(200, load("malformed-openrdap-misc.json"))
        if p.startswith("/hostile/") and len(parts) >= 4:
            what = parts[3].lower()
            how = HOSTILE_IPS.get(what) if parts[2] == "ip" else what.split(".")[0]
            return self.hostile(parts[2], what, how)
        if p.startswith("/plainonly/"):
            return self.route(p[len("/plainonly"):])
        if p.startswith("/tlsboot/") or p.startswith("/tlsplain/"):
            d = "tls" if parts[1] == "tlsboot" else "tlsplain"
            try:
                with open(os.path.join(BOOT, d, parts[2]), "rb") as f:
                    body = f.read()
            except OSError:
                return self.error(404, "no such file")
            if prefix:
                body = body.replace(('"%s/' % base).encode(), ('"%s%s/' % (base, prefix)).encode())
            return self.send(200, body, "application/json")
        if p.startswith("/toplain/"):
            return self.redirect(302, PLAIN["base"] + "/plainonly/" + p[len("/toplain/"):])
        if p.startswith("/bootplain/"):
            return self.redirect(302, PLAIN["base"] + "/plainonly/boot/" + p[len("/bootplain/"):])
        if p.startswith("/loop/"):
            n = int(parts[2]) + 1
            return self.redirect(302, "%s/loop/%d/%s" % (base, n, "/".join(parts[3:])))
        return self.error(404, "Not Found")


class Whois(socketserver.StreamRequestHandler):
    def handle(self):
        q = self.rfile.readline(512).decode("ascii", "replace").strip().lower()
        if q == "whoistld":
            ans = "% IANA WHOIS server\r\n\r\ndomain:       WHOISTLD\r\nrefer:        127.0.0.1\r\n"
        elif q == "norefer":
            ans = "% IANA WHOIS server\r\n\r\ndomain:       NOREFER\r\n"
        elif q in WHOIS_DOMAINS:
            ans = WHOIS_DOMAINS[q]
        else:
            ans = 'No match for "%s".\r\n' % q.upper()
        self.wfile.write(ans.encode())


class WhoisServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def write_boot(d, services):
    os.makedirs(d, exist_ok=True)
    for name, svc in services:
        with open(os.path.join(d, name), "w") as f:
            json.dump({"version": "1.0", "publication": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "description": "senderaudit test bootstrap", "services": svc}, f, indent=1)


def start_tls(cert, key):
    """The https twin of the http server; returns its port."""
    tls = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tls.daemon_threads = True
    tls.scheme = "https"
    tls.log_prefix = "tls:"
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
    port = tls.server_address[1]
    for sub, path in (("tls", "/"), ("tlsplain", "/toplain/")):
        b = "https://127.0.0.1:%d%s" % (port, path)
        write_boot(os.path.join(BOOT, sub), (
            ("ipv4.json", [[["192.0.2.0/24"], [b + "rir/ripe/"]]]),
            ("ipv6.json", [[["2001:db8::/32"], [b + "rir/ripe/"]]]),
            ("dns.json", [[["test"], [b + "reg/"]]])))
    threading.Thread(target=tls.serve_forever, daemon=True).start()
    return port


def main():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    port = httpd.server_address[1]
    whoisd = WhoisServer(("127.0.0.1", 0), Whois)
    closed = closed_port()
    b = "http://127.0.0.1:%d" % port
    down = "http://127.0.0.1:%d/" % closed
    ipv4 = [
        [["74.0.0.0/8", "13.0.0.0/8", "192.198.0.0/16"], [b + "/rir/arin/"]],
        # 62/8 and 130/8 deliberately at the wrong RIR: it redirects
        [["62.0.0.0/8", "130.59.0.0/16"], [b + "/rir/arin/"]],
        [["210.0.0.0/8", "1.0.0.0/8"], [b + "/rir/apnic/"]],
        [["200.0.0.0/8"], [b + "/rir/lacnic/"]],
        [["196.0.0.0/8"], [b + "/rir/afrinic/"]],
        [["192.0.2.0/24"], [b + "/rir/ripe/"]],
        [["198.51.100.0/24"], [down]],
        [["198.51.100.16/28"], [b + "/slow/"]],
        [["198.51.100.32/28"], [b + "/e429/"]],
        [["198.51.100.48/28"], [b + "/trunc/"]],
        [["198.51.100.64/28"], [b + "/big/"]],
        [["198.51.100.80/28"], [b + "/e404/"]],
        [["198.51.100.96/28"], [b + "/badjson/"]],
        [["198.51.100.112/28"], [b + "/loop/0/"]],
        [["198.51.100.128/28"], [b + "/e429once/rir/ripe/"]],
        [["198.51.100.144/28"], [b + "/hostile/"]],
    ]
    ipv6 = [
        [["2001:4800::/23"], [b + "/rir/arin/"]],
        [["2a00::/12"], [b + "/rir/ripe/"]],
        [["2001:4200::/23"], [b + "/rir/afrinic/"]],
        [["2001:db8::/32"], [b + "/rir/ripe"]],
    ]
    dns = [
        [["test", "com", "moscow", "org", "surf"], [b + "/reg/"]],
        [["down"], [down]],
        [["slow"], [b + "/slow/"]],
        [["ratelimit"], [b + "/e429/"]],
        [["trunc"], [b + "/trunc/"]],
        [["big"], [b + "/big/"]],
        [["badjson"], [b + "/badjson/"]],
        [["rdaperr"], [b + "/e500/"]],
        [["test.example"], [down]],  # a label set that must not match "good.test"
        [["hostile"], [b + "/hostile/"]],
    ]
    os.makedirs(BOOT, exist_ok=True)
    for name, services in (("ipv4.json", ipv4), ("ipv6.json", ipv6), ("dns.json", dns)):
        with open(os.path.join(BOOT, name), "w") as f:
            json.dump({"version": "1.0", "publication": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "description": "senderaudit test bootstrap", "services": services}, f, indent=1)
    threading.Thread(target=whoisd.serve_forever, daemon=True).start()
    PLAIN["base"] = b
    tls = " %d" % start_tls(*TLS_FILES) if len(TLS_FILES) == 2 else ""
    with open(PORTFILE + ".tmp", "w") as f:
        f.write("%d %d %d%s\n" % (port, whoisd.server_address[1], closed, tls))
    os.rename(PORTFILE + ".tmp", PORTFILE)
    httpd.serve_forever()


main()
