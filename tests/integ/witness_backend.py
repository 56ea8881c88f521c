#!/usr/bin/env python3
"""The backend behind the witness servers (tests/integ/modeler_witness.sh): each route
answers after a fixed delay, so the request times the front server logs are known from
below. Usage: witness_backend.py PORT_FILE. Writes the port it bound to PORT_FILE."""
import http.server, socketserver, sys, time

DELAYS = {"/products/": 0.020, "/api/slow/": 0.060}


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        for prefix, d in DELAYS.items():
            if self.path.startswith(prefix):
                time.sleep(d)
        body = b"x" * (100 + len(self.path))
        self.send_response(302 if self.path.startswith("/cart") else 200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = answer

    def log_message(self, *a):
        pass


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = S(("127.0.0.1", 0), H)
with open(sys.argv[1], "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()
