#!/usr/bin/env python3
"""server.py PORT: an HTTP/1.1 keep-alive server for make.sh. GET /NAME.EXT answers
with deterministic bytes of the type EXT names (a real file's magic first), of the size
the name asks (/img-12000.webp: 12000 bytes)."""
import http.server
import random
import re
import sys

TYPES = {"jpg": ("image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "webp": ("image/webp", b"RIFF\x00\x00\x00\x00WEBPVP8 "),
         "png": ("image/png", b"\x89PNG\r\n\x1a\n"), "txt": ("text/plain", b"plain text\n")}


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        m = re.match(r"/[a-z]+-(\d+)\.([a-z]+)$", self.path)
        if not m or m.group(2) not in TYPES:
            self.send_error(404)
            return
        size, (ctype, magic) = int(m.group(1)), TYPES[m.group(2)]
        rnd = random.Random(self.path)
        body = (magic + bytes(rnd.getrandbits(8) for _ in range(size)))[:size]
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


http.server.ThreadingHTTPServer(("0.0.0.0", int(sys.argv[1])), H).serve_forever()
