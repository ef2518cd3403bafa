#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""smtp-hostile.py MODE HOST PORT: a hostile client of `senderaudit receive`
for suite_smtp.sh. Modes:

  longline  a command line of 1 MB
  rcpts     EHLO, MAIL, then 100,000 RCPT TO pipelined
  dataend   a message of 20 MB that never ends (no lone dot), then silence
  junk      256 KB of random bytes
  slow      "EHLO slow.test" and more, one byte a second
  tlsreset  STARTTLS, the handshake, then a reset (RST) with commands in flight

It prints how it ended: "closed after S s, sent N bytes, last reply: ...".
It gives up after 90 s."""
import os
import socket
import ssl
import struct
import sys
import time

mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.create_connection((host, port), timeout=90)
t0 = time.time()
sent = 0
replies = []


def send(data):
    global sent
    s.sendall(data)
    sent += len(data)


def drain(block=False):
    s.setblocking(block)
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return False
            replies.extend(l for l in d.split(b"\r\n") if l)
            if block:
                return True
    except (BlockingIOError, socket.timeout):
        return True
    finally:
        s.settimeout(90)


try:
    drain(True)  # the greeting
    if mode == "longline":
        send(b"EHLO " + b"a" * (1024 * 1024) + b"\r\n")
    elif mode == "rcpts":
        send(b"EHLO rcpts.test\r\nMAIL FROM:<a@rcpts.test>\r\n")
        batch = b"".join(b"RCPT TO:<r%d@rcpts.test>\r\n" % i for i in range(1000))
        for _ in range(100):
            send(batch)
            if not drain():
                break
    elif mode == "dataend":
        send(b"EHLO data.test\r\nMAIL FROM:<a@data.test>\r\nRCPT TO:<b@data.test>\r\nDATA\r\n")
        line = b"x" * 998 + b"\r\n"
        for _ in range(20 * 1024):
            send(line)
            drain()
    elif mode == "junk":
        send(os.urandom(256 * 1024))
    elif mode == "tlsreset":
        for _ in range(20):
            send(b"EHLO reset.test\r\n")
            drain(True)
            send(b"STARTTLS\r\n")
            drain(True)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            t = ctx.wrap_socket(s, server_hostname="receive.test")
            t.sendall(b"EHLO reset.test\r\n" * 50)
            t.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            t.close()
            sent += 1
            s = socket.create_connection((host, port), timeout=90)
            drain(True)
        replies.append(b"(20 resets sent)")
    elif mode == "slow":
        for b in b"EHLO slow.test\r\nMAIL FROM:<a@slow.test>\r\n" * 10:
            send(bytes([b]))
            if not drain():
                break
            time.sleep(1)
    while mode != "tlsreset" and drain(True):
        pass
except OSError as e:
    replies.append(("(%s: %s)" % (e.__class__.__name__, e)).encode())
last = replies[-1].decode("latin-1")[:120] if replies else "none"
print("closed after %.1f s, sent %d bytes, last reply: %s" % (time.time() - t0, sent, last))
