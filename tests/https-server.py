#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""https-server.py: an HTTPS server on loopback for suite_domain.sh and
`make demo`: MTA-STS policies, BIMI logos and mark certificates, and hostile
variants of them.

usage: https-server.py DOCROOT CERT KEY PORTFILE LOGFILE [ADDR [PORT]]
                       [--sni HOST CERT KEY]...

Listens on ADDR:PORT (default 127.0.0.1:443; PORT 0 picks a free one) with
CERT/KEY, and writes its port to PORTFILE once it listens. A request for
https://HOST/PATH is answered from the file DOCROOT/HOST/PATH, as 200 with a
media type by extension (.txt text/plain, .svg image/svg+xml, .pem
application/pem-certificate-chain). A file DOCROOT/HOST/PATH.meta (JSON)
changes that:
  {"status": 301, "location": URL}  that status, with Location
  {"type": "text/html"}             another media type ("" for none)
  {"status": 404}                   that status, an HTML body
  {"stream_mb": 10}                 a body of that many MiB of "mx:" lines,
                                    sent as fast as the client reads (no
                                    Content-Length: it must be cut by size)
  {"stall": 30}                     the headers, half the body, then silence
A request for a path with no file is 404. "--sni HOST CERT KEY" presents
another certificate to clients that name HOST (an untrusted one, say).
Every request is appended to LOGFILE as "HOST PATH".
"""

import json
import os
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = sys.argv[1:]
sni = {}
while "--sni" in args:
    i = args.index("--sni")
    sni[args[i + 1]] = (args[i + 2], args[i + 3])
    del args[i:i + 4]
DOCROOT, CERT, KEY, PORTFILE, LOG = args[:5]
ADDR = args[5] if len(args) > 5 else "127.0.0.1"
PORT = int(args[6]) if len(args) > 6 else 443
TYPES = {".txt": "text/plain", ".svg": "image/svg+xml", ".pem": "application/pem-certificate-chain"}
log_lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body=b"", ctype="text/plain", extra=()):
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        path = self.path.split("?")[0]
        with log_lock, open(LOG, "a") as f:
            f.write("%s %s\n" % (host, path))
        base = os.path.normpath(os.path.join(DOCROOT, host, path.lstrip("/")))
        if not base.startswith(os.path.normpath(DOCROOT) + os.sep):
            return self.send(404, b"no")
        meta = {}
        if os.path.exists(base + ".meta"):
            with open(base + ".meta") as f:
                meta = json.load(f)
        status = meta.get("status", 200)
        ctype = meta.get("type", TYPES.get(os.path.splitext(path)[1], "application/octet-stream"))
        if "location" in meta:
            return self.send(status, b"moved", "text/html", [("Location", meta["location"])])
        if "stream_mb" in meta:
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Connection", "close")
            self.end_headers()
            line = b"mx: mx.example.com\n" * 3000
            sent = 0
            try:
                while sent < meta["stream_mb"] * 1024 * 1024:
                    self.wfile.write(line)
                    sent += len(line)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                pass
            self.close_connection = True
            return
        if status != 200:
            return self.send(status, b"<html><body>%d</body></html>" % status, "text/html")
        if not os.path.isfile(base):
            return self.send(404, b"<html><body>Not Found</body></html>", "text/html")
        with open(base, "rb") as f:
            body = f.read()
        if "stall" in meta:
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            time.sleep(meta["stall"])
            return
        self.send(200, body, ctype)


def main():
    srv = ThreadingHTTPServer((ADDR, PORT), Handler)
    srv.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    others = {}
    for host, (c, k) in sni.items():
        o = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        o.load_cert_chain(c, k)
        others[host] = o

    def pick(sock, name, _ctx):
        if name in others:
            sock.context = others[name]

    ctx.sni_callback = pick
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(PORTFILE + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(PORTFILE + ".tmp", PORTFILE)
    srv.serve_forever()


main()
