# SPDX-License-Identifier: ISC
"""dnsserve.py: the UDP and TCP loops the test DNS servers (fakedns.py,
faultdns.py) share. serve(respond, max_seconds, name) binds 127.0.0.1 on a
free port for both protocols, prints the port, and answers every query with
respond(data, via_tcp): the reply's bytes, or None (or b"") for silence
(over TCP: the connection is closed without a reply). A UDP reply wrapped
as OtherSource(bytes) is sent from another port: a spoofed answer the
client must not accept."""
import socket
import threading
import time


def udp_loop(sock, respond):
    while True:
        data, peer = sock.recvfrom(65535)
        threading.Thread(target=udp_one, args=(sock, respond, data, peer), daemon=True).start()


class OtherSource(bytes):
    pass


def udp_one(sock, respond, data, peer):
    reply = respond(data, False)
    if isinstance(reply, OtherSource):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
            other.sendto(bytes(reply), peer)
    elif reply:
        sock.sendto(reply, peer)


def recv_exact(conn, n):
    """n bytes from a stream socket, or None when it closes first."""
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def tcp_one(conn, respond):
    with conn:
        try:
            hdr = recv_exact(conn, 2)
            data = hdr and recv_exact(conn, int.from_bytes(hdr, "big"))
            if not data:
                return
            reply = respond(data, True)
            if reply:
                conn.sendall(len(reply).to_bytes(2, "big") + reply)
        except OSError:
            pass


def tcp_loop(sock, respond):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=tcp_one, args=(conn, respond), daemon=True).start()


def serve(respond, max_seconds, name):
    # A UDP port whose TCP twin is free too: another process may hold it.
    for _ in range(100):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind(("127.0.0.1", port))
            break
        except OSError:
            udp.close()
            tcp.close()
    else:
        raise SystemExit("%s: no free UDP+TCP port pair" % name)
    tcp.listen(64)
    threading.Thread(target=udp_loop, args=(udp, respond), daemon=True).start()
    threading.Thread(target=tcp_loop, args=(tcp, respond), daemon=True).start()
    print(port, flush=True)
    time.sleep(max_seconds)
