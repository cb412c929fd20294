#!/usr/bin/env python3
"""A tiny Server-Sent Events server that (wrongly) gzips the stream. Each event is compressed
and pushed out with Z_SYNC_FLUSH, as one HTTP chunk, in one send() on a TCP_NODELAY socket, so
each event leaves in its own TCP segment. Usage: server.py ADDR PORT"""
import socket, sys, time, zlib

EVENTS = [
    ("tick", "1", '{"step": 1, "msg": "build started"}'),
    ("tick", "2", '{"step": 2, "msg": "compiling"}'),
    ("tick", "3", '{"step": 3, "msg": "linking"}'),
    ("tick", "4", '{"step": 4, "msg": "running tests"}'),
    ("tick", "5", '{"step": 5, "msg": "tests passed"}'),
    ("done", "6", '{"step": 6, "msg": "build finished"}'),
]

def chunk(data):
    return b"%x\r\n" % len(data) + data + b"\r\n"

s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1)
c, _ = s.accept()
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
req = b""
while b"\r\n\r\n" not in req:
    d = c.recv(4096)
    if not d:
        sys.exit(1)
    req += d
c.sendall(b"HTTP/1.1 200 OK\r\n"
          b"Content-Type: text/event-stream\r\n"
          b"Cache-Control: no-cache\r\n"
          b"Content-Encoding: gzip\r\n"
          b"Transfer-Encoding: chunked\r\n"
          b"\r\n")
z = zlib.compressobj(6, zlib.DEFLATED, 31)          # wbits 31 = gzip wrapper
for name, eid, data in EVENTS:
    time.sleep(0.7)
    ev = ("event: %s\nid: %s\ndata: %s\n\n" % (name, eid, data)).encode()
    c.sendall(chunk(z.compress(ev) + z.flush(zlib.Z_SYNC_FLUSH)))
time.sleep(0.7)
c.sendall(chunk(z.flush(zlib.Z_FINISH)) + b"0\r\n\r\n")  # gzip trailer, then the last chunk
while c.recv(4096):                                    # wait for the client to close
    pass
c.close()
