#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""delayfwd.py UPSTREAM_PORT DELAY_MS [MAX_SECONDS [ADDR [PORT]]]: a DNS
forwarder on ADDR (default 127.0.0.1) that delays every answer by a fixed
time (UDP and TCP), in front of NSD on loopback. Prints its port on stdout,
then serves until killed or until MAX_SECONDS (default 600) have passed.
With DELAYFWD_LOG=FILE set, every question is appended to FILE as
"NAME TYPE" (the tests count how often a name was asked)."""
import asyncio
import os
import socket
import sys

LOG = open(os.environ["DELAYFWD_LOG"], "a", buffering=1) if os.environ.get("DELAYFWD_LOG") else None


def log(msg):
    """Appends the question of a DNS message to LOG: name and type."""
    if not LOG:
        return
    try:
        i, labels = 12, []
        while msg[i]:
            labels.append(msg[i + 1:i + 1 + msg[i]].decode("ascii", "replace"))
            i += 1 + msg[i]
        LOG.write("%s %d\n" % (".".join(labels).lower(), int.from_bytes(msg[i + 1:i + 3], "big")))
    except (IndexError, ValueError):
        LOG.write("? ?\n")


async def main():
    upstream = ("127.0.0.1", int(sys.argv[1]))
    delay = int(sys.argv[2]) / 1000.0
    max_seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 600.0
    loop = asyncio.get_running_loop()

    class Udp(asyncio.DatagramProtocol):
        def connection_made(self, transport):
            self.transport = transport

        def datagram_received(self, data, addr):
            loop.create_task(self.forward(data, addr))

        async def forward(self, data, addr):
            log(data)
            up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            up.setblocking(False)
            try:
                await loop.sock_connect(up, upstream)
                await loop.sock_sendall(up, data)
                reply = await asyncio.wait_for(loop.sock_recv(up, 65535), 5)
            except (OSError, asyncio.TimeoutError):
                return
            finally:
                up.close()
            await asyncio.sleep(delay)
            self.transport.sendto(reply, addr)

    async def tcp(reader, writer):
        try:
            while True:
                hdr = await reader.readexactly(2)
                msg = await reader.readexactly(int.from_bytes(hdr, "big"))
                log(msg)
                ur, uw = await asyncio.open_connection(*upstream)
                uw.write(hdr + msg)
                await uw.drain()
                rhdr = await ur.readexactly(2)
                reply = await ur.readexactly(int.from_bytes(rhdr, "big"))
                uw.close()
                await asyncio.sleep(delay)
                writer.write(rhdr + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, OSError):
            pass
        finally:
            writer.close()

    addr = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.1"
    fixed = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    # A UDP port whose TCP twin is free too: another process may hold it.
    for _ in range(100):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((addr, fixed))
        port = sock.getsockname()[1]
        try:
            server = await asyncio.start_server(tcp, addr, port)
            break
        except OSError:
            sock.close()
            if fixed:
                raise
    else:
        raise SystemExit("delayfwd: no free UDP+TCP port pair")
    await loop.create_datagram_endpoint(Udp, sock=sock)
    print(port, flush=True)
    async with server:
        await asyncio.sleep(max_seconds)


asyncio.run(main())
