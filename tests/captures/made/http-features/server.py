#!/usr/bin/python3
"""server.py: a tiny HTTP/1.1 server for make.sh; each path shows one feature chattcp
decodes: zstd content-encoding, chunked with a trailer, HEAD, 304, 204, Range/206."""
import http.server
import subprocess
import sys

BODY = b"".join(b"line %04d of the chattcp test resource\n" % i for i in range(400))
ZSTD = subprocess.run(["zstd", "-q", "-c"], input=BODY, capture_output=True, check=True).stdout


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()

    def do_GET(self):
        p = self.path
        if p == "/zstd":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Encoding", "zstd")
            self.send_header("Content-Length", str(len(ZSTD)))
            self.end_headers()
            self.wfile.write(ZSTD)
        elif p == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Trailer", "X-Checksum")
            self.end_headers()
            for i in range(0, len(BODY), 4000):
                part = BODY[i:i + 4000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\nX-Checksum: 400-lines\r\n\r\n")
        elif p == "/etag":
            self.send_response(304)
            self.send_header("ETag", '"v1"')
            self.end_headers()
        elif p == "/empty":
            self.send_response(204)
            self.end_headers()
        elif p == "/file.txt":
            rng = self.headers.get("Range", "")
            a, b = (int(x) for x in rng.split("=")[1].split("-"))
            part = BODY[a:b + 1]
            self.send_response(206)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Range", "bytes %d-%d/%d" % (a, b, len(BODY)))
            self.send_header("Content-Length", str(len(part)))
            self.end_headers()
            self.wfile.write(part)
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
