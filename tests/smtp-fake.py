#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""smtp-fake.py ADDR PORTFILE MODE [CERT KEY]: a misbehaving SMTP server on
ADDR (a free port, written to PORTFILE) for suite_smtp.sh. Each connection
gets MODE:

  drop       greets 220, then closes at the first command
  stall      accepts and never says anything
  tarpit     waits 2 s before its greeting, then a plain server (no STARTTLS)
  garbage    answers like a web server
  flood      a greeting of 10 MB of continuation lines
  floodehlo  a normal greeting, then an EHLO reply of 10 MB of continuation lines
  notls      offers STARTTLS, says 220 to it, then never starts the handshake
  tls        a normal server with STARTTLS (CERT KEY), relaying refused
  tls10      the same, speaking TLS 1.0 only
  auth       offers AUTH PLAIN LOGIN before STARTTLS
  refuse     greets 554
  busy       greets 421

It counts the bytes it sent in total on stderr ("sent N") and exits by
itself after 300 s."""
import socket
import ssl
import sys
import threading
import time

addr, portfile, mode = sys.argv[1], sys.argv[2], sys.argv[3]
cert = sys.argv[4] if len(sys.argv) > 5 else None
key = sys.argv[5] if len(sys.argv) > 5 else None
NAME = b"odd.loop.test"
sent = [0]


def tls_context(v10):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if v10:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1
    ctx.load_cert_chain(cert, key)
    return ctx


class Conn:
    def __init__(self, s):
        self.s = s
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)
        sent[0] += len(data)

    def line(self):
        while b"\n" not in self.buf:
            d = self.s.recv(4096)
            if not d:
                return None
            self.buf += d
        l, self.buf = self.buf.split(b"\n", 1)
        return l.rstrip(b"\r")


def flood(c, code):
    chunk = (code + b"-" + b"x" * 70 + b"\r\n") * 1000
    try:
        for _ in range(10 * 1024 * 1024 // len(chunk) + 1):
            c.send(chunk)
        c.send(code + b" end\r\n")
    except OSError:
        pass  # the client gave up, as it should


def ehlo_reply(starttls, auth):
    r = b"250-" + NAME + b"\r\n250-PIPELINING\r\n"
    if auth:
        r += b"250-AUTH PLAIN LOGIN\r\n"
    if starttls:
        r += b"250-STARTTLS\r\n"
    return r + b"250 8BITMIME\r\n"


def session(c):
    if mode == "stall":
        time.sleep(120)
        return
    if mode == "garbage":
        c.send(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n\r\n<html>no</html>\r\n")
        return
    if mode == "flood":
        flood(c, b"220")
        return
    if mode == "refuse":
        c.send(b"554 5.7.1 " + NAME + b" no SMTP service here\r\n")
    elif mode == "busy":
        c.send(b"421 4.3.2 " + NAME + b" too busy, try later\r\n")
    else:
        if mode == "tarpit":
            time.sleep(2)
        c.send(b"220 " + NAME + b" ESMTP fake\r\n")
    starttls = mode in ("notls", "tls", "tls10", "auth")
    while True:
        l = c.line()
        if l is None:
            return
        verb = l[:4].upper()
        if mode == "drop":
            return
        if verb in (b"EHLO", b"HELO"):
            if mode == "floodehlo":
                flood(c, b"250")
                return
            c.send(ehlo_reply(starttls and not isinstance(c.s, ssl.SSLSocket), mode == "auth"))
        elif l.upper() == b"STARTTLS":
            c.send(b"220 2.0.0 go ahead\r\n")
            if mode == "notls":
                time.sleep(120)
                return
            try:
                c.s = tls_context(mode == "tls10").wrap_socket(c.s, server_side=True)
            except (ssl.SSLError, OSError):
                return
            c.buf = b""
        elif verb == b"MAIL":
            c.send(b"250 2.1.0 ok\r\n")
        elif verb == b"RCPT":
            c.send(b"554 5.7.1 relay access denied\r\n")
        elif verb == b"RSET":
            c.send(b"250 ok\r\n")
        elif verb == b"QUIT":
            c.send(b"221 bye\r\n")
            return
        else:
            c.send(b"502 5.5.2 no\r\n")


def serve(s):
    try:
        session(Conn(s))
    except OSError:
        pass
    finally:
        try:
            s.close()
        except OSError:
            pass
        print("sent %d" % sent[0], file=sys.stderr, flush=True)


ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((addr, 0))
ls.listen(16)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % ls.getsockname()[1])
import os
os.rename(portfile + ".tmp", portfile)
ls.settimeout(1)
end = time.time() + 300
while time.time() < end:
    try:
        s, _ = ls.accept()
    except socket.timeout:
        continue
    threading.Thread(target=serve, args=(s,), daemon=True).start()
