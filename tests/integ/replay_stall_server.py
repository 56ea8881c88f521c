#!/usr/bin/env python3
"""A tiny HTTP/1.1 keep-alive server for replay's coordinated-omission test.

Every response is 200 with a small JSON body, except that the whole server stalls once, like
a garbage-collection pause: from STALL_AT seconds after the first request, for STALL_FOR
seconds, every request waits until the stall ends. Usage: stall_server.py PORT STALL_AT STALL_FOR
Prints "ready" on stdout once listening.
"""
import http.server
import sys
import threading
import time

PORT, STALL_AT, STALL_FOR = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
first = None
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        global first
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        with lock:
            if first is None:
                first = time.monotonic()
        end = first + STALL_AT + STALL_FOR
        now = time.monotonic()
        if first + STALL_AT <= now < end:
            time.sleep(end - now)
        body = b'{"cart_id":"c-42","ok":true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024


srv = Server(("127.0.0.1", PORT), Handler)
print("ready", flush=True)
srv.serve_forever()
