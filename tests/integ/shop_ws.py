#!/usr/bin/python3
"""WebSocket peer for the shop's integration tests, on Debian's python3-websockets (a client
nobody here wrote). Prints one line per event on stdout, flushed, so the shell test can wait
for "ready" and then assert on the rest.

  shop_ws.py push PORT SKU_URL SKU_MSG TIMEOUT
      Opens two sockets: one subscribed by ?product_id=SKU_URL, one by the subscribe message
      for SKU_MSG. Checks ping/pong, prints "ready", then waits for one push on each and
      prints "push SKU STOCK DELAY_MS" for each; then closes both with 1000 and prints
      "closed CODE" per socket (the code the server answered with).
  shop_ws.py hold PORT N TIMEOUT
      Opens N sockets (prints "open I" or "refused STATUS" for each, then "ready"), then
      waits until the server closes them or TIMEOUT passes; prints "closed CODE" per socket.
Exit status: 0 when the script ran to completion, 1 on a protocol surprise, 2 on usage.
"""
import asyncio
import json
import sys
import time

try:
    import websockets
except ImportError:
    print("error: python3-websockets is not installed (apt-get install python3-websockets)",
          flush=True)
    sys.exit(1)


def say(*words):
    print(*words, flush=True)


async def push(port, sku_url, sku_msg, timeout):
    base = f"ws://127.0.0.1:{port}/ws/inventory"
    a = await websockets.connect(f"{base}?product_id={sku_url}", close_timeout=5)
    b = await websockets.connect(base, close_timeout=5)
    await b.send(json.dumps({"subscribe": "inventory", "sku": sku_msg}))
    pong = await a.ping(b"stampede")
    await asyncio.wait_for(pong, 5)
    say("pong ok")
    # The subscribe message must be processed before the checkout; a ping round trip on the
    # same socket orders it (frames on one connection are handled in order).
    await asyncio.wait_for(await b.ping(b"sync"), 5)
    say("ready")
    for ws in (a, b):
        msg = await asyncio.wait_for(ws.recv(), timeout)
        m = json.loads(msg)
        delay = time.time() * 1000.0 - m["ts_ms"]
        say("push", m["sku"], m["stock"], f"{delay:.1f}")
    for ws in (a, b):
        await ws.close(code=1000, reason="done")
        say("closed", ws.close_code)


async def hold(port, n, timeout):
    url = f"ws://127.0.0.1:{port}/ws/inventory?product_id=1"
    socks = []
    for i in range(n):
        try:
            socks.append(await websockets.connect(url, close_timeout=5, ping_interval=None))
            say("open", i)
        except websockets.exceptions.InvalidStatusCode as e:
            say("refused", e.status_code)
    say("ready")

    async def wait_closed(ws):
        try:
            await asyncio.wait_for(ws.wait_closed(), timeout)
        except asyncio.TimeoutError:
            await ws.close(code=1000)
        say("closed", ws.close_code)

    await asyncio.gather(*(wait_closed(ws) for ws in socks))


def main(argv):
    if len(argv) == 6 and argv[1] == "push":
        asyncio.run(push(int(argv[2]), int(argv[3]), int(argv[4]), float(argv[5])))
    elif len(argv) == 5 and argv[1] == "hold":
        asyncio.run(hold(int(argv[2]), int(argv[3]), float(argv[4])))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as e:  # a surprise is a test failure, reported on one line
        say("error:", type(e).__name__, e)
        sys.exit(1)
