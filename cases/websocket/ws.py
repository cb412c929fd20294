#!/usr/bin/env python3
"""Both peers of a small RFC 6455 WebSocket conversation, written for this case on plain sockets.
Usage: ws.py server ADDR PORT | ws.py client ADDR PORT
No extensions (no permessage-deflate). Every frame is sent with its own send() on a TCP_NODELAY
socket, with short pauses, so each frame travels in its own TCP segment."""
import base64, hashlib, os, socket, struct, sys, time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CONT, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA

def frame(op, payload, fin=True, mask=False):
    b0 = (0x80 if fin else 0) | op
    n = len(payload)
    if n < 126:
        hdr = struct.pack("!BB", b0, (0x80 if mask else 0) | n)
    elif n < 65536:
        hdr = struct.pack("!BBH", b0, (0x80 if mask else 0) | 126, n)
    else:
        hdr = struct.pack("!BBQ", b0, (0x80 if mask else 0) | 127, n)
    if not mask:
        return hdr + payload
    key = os.urandom(4)                      # a client must mask every frame with a fresh key
    return hdr + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))

class Reader:
    def __init__(self, sock):
        self.s, self.buf = sock, b""
    def need(self, n):
        while len(self.buf) < n:
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
        out, self.buf = self.buf[:n], self.buf[n:]
        return out
    def line_block(self):                    # HTTP head, up to the empty line
        while b"\r\n\r\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        return head.decode()
    def frame(self):
        b0, b1 = self.need(2)
        n = b1 & 0x7F
        if n == 126:
            n, = struct.unpack("!H", self.need(2))
        elif n == 127:
            n, = struct.unpack("!Q", self.need(8))
        key = self.need(4) if b1 & 0x80 else None
        data = self.need(n)
        if key:
            data = bytes(b ^ key[i % 4] for i, b in enumerate(data))
        return bool(b0 & 0x80), b0 & 0x0F, data

def send(sock, data, pause=0.1):
    sock.sendall(data)
    time.sleep(pause)

def server(addr, port):
    ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port)); ls.listen(1)
    s, _ = ls.accept()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    r = Reader(s)
    head = r.line_block()
    hdrs = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in head.split("\r\n")[1:])}
    assert hdrs.get("upgrade", "").lower() == "websocket" and hdrs.get("sec-websocket-version") == "13"
    accept = base64.b64encode(hashlib.sha1(hdrs["sec-websocket-key"].encode() + GUID).digest())
    send(s, b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n", 0)
    parts, first_op = [], None
    while True:
        fin, op, data = r.frame()
        if op == PING:
            send(s, frame(PONG, data))                       # answer with the same payload
        elif op == PONG:
            pass
        elif op in (TEXT, BINARY, CONT):
            if op != CONT:
                first_op = op
            parts.append(data)
            if fin:                                          # a whole message is here
                msg = b"".join(parts).decode(); parts = []
                send(s, frame(TEXT, ("echo: %s" % msg).encode()))
                if msg == "hello":
                    send(s, frame(PING, b"server-ping"))     # the server checks on the client too
        elif op == CLOSE:
            code, = struct.unpack("!H", data[:2])
            send(s, frame(CLOSE, data), 0)                   # echo the status code: close handshake
            s.close()                                        # the server closes TCP first (RFC 6455 7.1.1)
            return

def client(addr, port):
    s = socket.create_connection((addr, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    r = Reader(s)
    # A real client sends 16 random bytes (base64). This one uses the sample nonce of RFC 6455
    # section 1.3 so that the Sec-WebSocket-Accept in the capture can be checked against the RFC.
    key = b"dGhlIHNhbXBsZSBub25jZQ=="
    send(s, b"GET /chat HTTP/1.1\r\nHost: 10.77.0.2:8765\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n"
            b"Origin: http://10.77.0.2:8765\r\n\r\n", 0)
    head = r.line_block()
    want = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
    assert head.startswith("HTTP/1.1 101") and ("Sec-WebSocket-Accept: " + want) in head, head
    print("client: upgraded, Sec-WebSocket-Accept ok")
    send(s, frame(TEXT, b"hello", mask=True), 0)
    print("client got:", r.frame())                        # echo: hello
    fin, op, data = r.frame()                              # the server's ping
    print("client got:", (fin, op, data))
    send(s, frame(PONG, data, mask=True), 0.3)
    send(s, frame(PING, b"client-ping", mask=True), 0)
    print("client got:", r.frame())                        # pong
    time.sleep(0.3)
    # one message in three frames: FIN=0 text, FIN=0 continuation, FIN=1 continuation
    send(s, frame(TEXT, b"this message ", fin=False, mask=True), 0.2)
    send(s, frame(CONT, b"comes in ", fin=False, mask=True), 0.2)
    send(s, frame(CONT, b"three frames", fin=True, mask=True), 0)
    print("client got:", r.frame())                        # echo of the whole message
    time.sleep(0.3)
    send(s, frame(CLOSE, struct.pack("!H", 1000) + b"bye", mask=True), 0)
    print("client got:", r.frame())                        # the server's close frame
    assert s.recv(1) == b""                                # the server closed TCP
    s.close()
    time.sleep(0.3)

{"server": server, "client": client}[sys.argv[1]](sys.argv[2], int(sys.argv[3]))
