#!/usr/bin/python3
# ws_echo_server.py -- a WebSocket echo server for ws_conformance.sh, on python3-websockets
# (Debian package; the protocol implementation is theirs, this script is ours).
# Prints "PORT <n>" once listening on 127.0.0.1, then serves until killed. Text commands:
#   close:CODE:REASON  close with that code and reason
#   big:N              send N bytes of text
#   frag:K             send "part0".."part{K-1}" as one fragmented message
#   ping               ping the client, answer "pong-ok" when its pong arrives
#   drop               drop the TCP connection without a close frame
# Everything else is echoed. Each close the server sees is logged on stderr as
# "server: closed CODE REASON", and each handshake it accepts as
# "server: open PEER_ADDRESS xff=X-Forwarded-For ua=User-Agent" ("-" when absent), so a test
# can tell which client each socket came from.
# --bad-accept answers 101 with a wrong Sec-WebSocket-Accept; --early-frame answers a correct
# 101 and, in the same write, a text frame "early" (the client must deliver it first).
# Usage: ws_echo_server.py [--bad-accept | --early-frame | --tls CERT KEY]
import asyncio
import base64
import hashlib
import os
import ssl
import sys

import websockets


async def handler(ws, path=None):
    hdr = ws.request_headers
    print("server: open %s xff=%s ua=%s" % (ws.remote_address[0], hdr.get("X-Forwarded-For", "-"),
                                            hdr.get("User-Agent", "-")), file=sys.stderr,
          flush=True)
    try:
        async for msg in ws:
            if isinstance(msg, str) and msg.startswith("close:"):
                _, code, reason = msg.split(":", 2)
                await ws.close(code=int(code), reason=reason)
            elif isinstance(msg, str) and msg.startswith("big:"):
                await ws.send("x" * int(msg[4:]))
            elif isinstance(msg, str) and msg.startswith("frag:"):
                await ws.send(["part%d" % i for i in range(int(msg[5:]))])
            elif msg == "ping":
                waiter = await ws.ping(b"srv")
                await asyncio.wait_for(waiter, 3)
                await ws.send("pong-ok")
            elif msg == "drop":
                ws.transport.abort()
                return
            else:
                await ws.send(msg)
    except websockets.ConnectionClosed:
        pass
    finally:
        print("server: closed %s %s" % (ws.close_code, ws.close_reason), file=sys.stderr,
              flush=True)


async def bad_accept(reader, writer):
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Accept: bm90IHRoZSByaWdodCBrZXk=\r\n\r\n")
    await writer.drain()
    await asyncio.sleep(5)
    writer.close()


async def early_frame(reader, writer):
    req = await reader.readuntil(b"\r\n\r\n")
    key = b""
    for line in req.split(b"\r\n"):
        if line.lower().startswith(b"sec-websocket-key:"):
            key = line.split(b":", 1)[1].strip()
    guid = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    acc = base64.b64encode(hashlib.sha1(key + guid).digest())
    print("server: key %s" % key.decode(), file=sys.stderr, flush=True)
    writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + acc + b"\r\n\r\n"
                 b"\x81\x05early")
    await writer.drain()
    await asyncio.sleep(5)
    writer.close()


async def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--bad-accept":
        srv = await asyncio.start_server(bad_accept, "127.0.0.1", 0)
    elif len(sys.argv) > 1 and sys.argv[1] == "--early-frame":
        srv = await asyncio.start_server(early_frame, "127.0.0.1", 0)
    elif len(sys.argv) > 3 and sys.argv[1] == "--tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[2], sys.argv[3])
        srv = await websockets.serve(handler, "127.0.0.1", 0, max_size=2**20, ssl=ctx)
    else:
        srv = await websockets.serve(handler, "127.0.0.1", 0, max_size=2**20)
    port = srv.sockets[0].getsockname()[1]
    print("PORT %d" % port, flush=True)
    # Bounded: the test kills it long before. WS_ECHO_LIFETIME (s) for longer tests.
    await asyncio.sleep(float(os.environ.get("WS_ECHO_LIFETIME", "120")))


asyncio.run(main())
