#!/usr/bin/env python3
"""ws.py server|client: a minimal WebSocket (RFC 6455) server and client with permessage-deflate
(RFC 7692), for cases/websocket-deflate/make.sh. Debian's python3 has no WebSocket library, so
this is the handshake, the frame format and the deflate extension written out, nothing more.

Each direction keeps one raw-deflate stream for the whole connection (context takeover, the
default), so a message that repeats an earlier one compresses to a few bytes."""
import base64, hashlib, os, socket, struct, sys, zlib

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
ADDR = ("10.77.0.2", 8765)


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            raise EOFError
        b += d
    return b


def recv_head(s):
    b = b""
    while b"\r\n\r\n" not in b:
        b += s.recv(1)
    return b.decode()


def send_frame(s, opcode, payload, mask, rsv1=False):
    head = bytes([0x80 | (0x40 if rsv1 else 0) | opcode])
    n = len(payload)
    mbit = 0x80 if mask else 0
    if n < 126:
        head += bytes([mbit | n])
    else:
        head += bytes([mbit | 126]) + struct.pack("!H", n)
    if mask:
        key = os.urandom(4)
        payload = bytes(c ^ key[i % 4] for i, c in enumerate(payload))
        head += key
    s.sendall(head + payload)


def recv_frame(s):
    b0, b1 = recv_exact(s, 2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", recv_exact(s, 2))[0]
    key = recv_exact(s, 4) if b1 & 0x80 else None
    p = recv_exact(s, n)
    if key:
        p = bytes(c ^ key[i % 4] for i, c in enumerate(p))
    return b0 & 0x0F, bool(b0 & 0x40), p


class Deflate:
    def __init__(self):
        self.c = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        self.d = zlib.decompressobj(-15)

    def pack(self, data):        # RFC 7692 7.2.1: compress, sync flush, drop the 00 00 ff ff tail
        out = self.c.compress(data) + self.c.flush(zlib.Z_SYNC_FLUSH)
        return out[:-4]

    def unpack(self, data):
        return self.d.decompress(data + b"\x00\x00\xff\xff")


def server():
    ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(ADDR); ls.listen(1)
    print("listening", flush=True)
    s, _ = ls.accept()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    head = recv_head(s)
    key = [l.split(":", 1)[1].strip() for l in head.split("\r\n") if l.lower().startswith("sec-websocket-key:")][0]
    accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
    s.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Accept: %s\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n" % accept).encode())
    z = Deflate()
    while True:
        op, rsv1, p = recv_frame(s)
        if op == 8:                                  # close: answer it, then the TCP close
            send_frame(s, 8, p, mask=False)
            break
        text = z.unpack(p) if rsv1 else p
        send_frame(s, 1, z.pack(b"echo: " + text), mask=False, rsv1=True)
    s.close()


def client():
    s = socket.create_connection(ADDR)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET /chat HTTP/1.1\r\nHost: cases.test:8765\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n" % key).encode())
    head = recv_head(s)
    assert " 101 " in head.split("\r\n")[0] and "permessage-deflate" in head, head
    z = Deflate()
    msg = b'{"type":"price","symbol":"ACME","bid":101.25,"ask":101.27,"exchange":"cases-test"}'
    for m in (msg, msg, msg.replace(b"101.2", b"101.3")):
        send_frame(s, 1, z.pack(m), mask=True, rsv1=True)
        op, rsv1, p = recv_frame(s)
        print(z.unpack(p).decode(), flush=True)
    send_frame(s, 8, struct.pack("!H", 1000) + b"bye", mask=True)
    recv_frame(s)
    s.close()


server() if sys.argv[1] == "server" else client()
