#!/usr/bin/env python3
"""An HTTP gateway stub on 127.0.0.1 that records every request as one JSON
line: method, path, the Authorization and Idempotency-Key headers, the
form fields, and whether it was answered as down. While DOWN_FILE exists
it answers 503 (the gateway is down); otherwise it answers as the
gateways do: /zenziva {"status":"1"}, anything else {"status": true}.

Usage: gateway_stub.py PORT_FILE LOG_FILE DOWN_FILE"""
import json
import os
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def record(self, form):
        down = os.path.exists(self.server.down_file)
        line = {
            "method": self.command,
            "path": urllib.parse.urlparse(self.path).path,
            "authorization": self.headers.get("Authorization"),
            "idempotency": self.headers.get("Idempotency-Key"),
            "form": form,
            "down": down,
        }
        with open(self.server.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")
        if down:
            self.send_response(503)
            self.end_headers()
            return
        body = b'{"status":"1","text":"Success"}' if line["path"] == "/zenziva" \
            else b'{"detail":"sent","status": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n).decode("utf-8")
        self.record({k: v[0] for k, v in urllib.parse.parse_qs(raw).items()})

    def do_GET(self):
        q = urllib.parse.urlparse(self.path).query
        self.record({k: v[0] for k, v in urllib.parse.parse_qs(q).items()})

    def log_message(self, *args):
        pass


def main():
    port_file, log, down = sys.argv[1:4]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.log, server.down_file = log, down
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
