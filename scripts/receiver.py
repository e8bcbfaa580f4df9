#!/usr/bin/env python3
"""A tiny webhook receiver for trying the service locally: prints every POST and answers 200.

    python3 scripts/receiver.py [PORT]     (default 9000)
"""
import http.server
import sys


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        print(f"POST {self.path} {self.headers.get('Content-Type')}\n{body.decode('utf-8')}\n", flush=True)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"received")

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
    http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()
