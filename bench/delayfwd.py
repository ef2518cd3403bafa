#!/usr/bin/python3
"""delayfwd.py UPSTREAM_PORT DELAY_MS [MAX_SECONDS [ADDR [PORT]]]: a DNS
forwarder on ADDR (default 127.0.0.1) that delays every answer by a fixed
time (UDP and TCP), in front of NSD on loopback. Prints its port on stdout,
then serves until killed or until MAX_SECONDS (default 600) have passed."""
import asyncio
import socket
import sys


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
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, int(sys.argv[5]) if len(sys.argv) > 5 else 0))
    port = sock.getsockname()[1]
    await loop.create_datagram_endpoint(Udp, sock=sock)
    server = await asyncio.start_server(tcp, addr, port)
    print(port, flush=True)
    async with server:
        await asyncio.sleep(max_seconds)


asyncio.run(main())
