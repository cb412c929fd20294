#!/usr/bin/env python3
"""make.py: writes capture.pcap (no root, no network): a hostile capture that puts
terminal control bytes in every string field chattcp's decoders show, for
tests/suite/term-escape. EVIL holds ESC sequences (OSC 0 window title, OSC 52
clipboard, CSI clear screen and colour), BEL, CR, BS, DEL, raw C1 bytes, UTF-8 encoded
C1 (U+009B, U+0085), U+2028/U+2029, bidi overrides (U+202E, U+2066), invalid UTF-8 and
a backslash escape that could forge one of ours. Fixed seed: the same bytes every run.

    python3 make.py [OUT]      (default: capture.pcap next to this file)
"""
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "lib"))
import pcapgen  # noqa: E402

EVIL = (b"\x1b]0;pwned\x07" b"\x1b]52;c;aGVsbG8=\x07" b"\x1b[2J\x1b[31m" b"\x9b1m\x9d0;t\x9c"
        b"\xc2\x9b2J\xc2\x85\xe2\x80\xa8\xe2\x80\xa9" b"\xe2\x80\xae\xe2\x81\xa6"
        b"\r\x08\x7f\x01\x00\xff\xfe\xc0\xaf\xed\xa0\x80" b"\\x1b\x1b[0m")
# Where a field cannot hold CR, LF or NUL (a header line, a request line), this is used.
EVIL_LINE = EVIL.replace(b"\r", b"").replace(b"\x00", b"")
# Where a space would split the field (URI, method).
EVIL_WORD = EVIL_LINE.replace(b" ", b"")

rng = random.Random(11)
frames = []
t = [1.7e9]
CLI, SRV = bytes([10, 11, 0, 1]), bytes([10, 11, 0, 2])


def tick():
    t[0] += 0.001 + rng.random() / 1000
    return t[0]


class Conn:
    def __init__(self, dport):
        self.sport = rng.randrange(30000, 60000)
        self.dport = dport
        self.seq = [rng.randrange(1 << 32), rng.randrange(1 << 32)]

    def pkt(self, d, flags, data=b""):
        src, dst = (CLI, SRV) if d == 0 else (SRV, CLI)
        sp, dp = (self.sport, self.dport) if d == 0 else (self.dport, self.sport)
        frames.append(pcapgen._frame(tick(), src, dst, sp, dp, self.seq[d], self.seq[1 - d], flags, data))
        self.seq[d] = (self.seq[d] + len(data) + (1 if flags & 0x03 else 0)) & 0xFFFFFFFF

    def open(self):
        self.pkt(0, 0x02)
        self.pkt(1, 0x12)
        self.pkt(0, 0x10)

    def send(self, d, data):
        self.pkt(d, 0x18, data)
        self.pkt(1 - d, 0x10)

    def close(self):
        self.pkt(0, 0x11)
        self.pkt(1, 0x11)
        self.pkt(0, 0x10)


def udp(sport, dport, d, data):
    src, dst = (CLI, SRV) if d == 0 else (SRV, CLI)
    sp, dp = (sport, dport) if d == 0 else (dport, sport)
    u = struct.pack(">HHHH", sp, dp, 8 + len(data), 0) + data
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(u), 0, 0x4000, 64, 17, 0, src, dst)
    pkt = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + u
    ts = tick()
    sec, usec = int(ts), int((ts - int(ts)) * 1e6)
    frames.append(struct.pack("<IIII", sec, usec, len(pkt), len(pkt)) + pkt)


E, EL, EW = EVIL, EVIL_LINE, EVIL_WORD

# 1. HTTP: a request head split over two segments, header names and values, a 1xx with a
# hostile reason, a response with hostile reason/Content-Type/Content-Encoding and body,
# then a chunked request with hostile trailers.
c = Conn(80)
c.open()
head = (b"GET /a" + EW + b"/f" + EW + b".txt HTTP/1.1\r\nHost: h" + EL + b"\r\nX-" + EW + b": v" + EL +
        b"\r\nUser-Agent: " + EL + b"\r\n\r\n")
c.send(0, head[:40])
c.send(0, head[40:])
c.send(1, b"HTTP/1.1 103 Early" + EL + b"\r\nLink: " + EL + b"\r\n\r\n")
body = b"body " + E + b"\r\nline2 " + E + b"\n"
c.send(1, b"HTTP/1.1 200 OK" + EL + b"\r\nContent-Type: text/" + EW + b"\r\nContent-Encoding: x" + EW +
       b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
c.send(0, b"POST /up" + EW + b" HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
       b"5\r\nhello\r\n0\r\nX-T" + EW + b": t" + EL + b"\r\n\r\n")
body = b"plain " + E
c.send(1, b"HTTP/1.1 201 " + EL + b"\r\nContent-Type: text/plain\r\nContent-Length: " + str(len(body)).encode() +
       b"\r\n\r\n" + body)
c.close()

# 2. HTTP: a bad Content-Length in the request (a note quotes it).
c = Conn(80)
c.open()
c.send(0, b"POST /cl HTTP/1.1\r\nHost: h\r\nContent-Length: 1" + EL + b"\r\n\r\nxyz")
c.send(1, b"HTTP/1.1 400 Bad" + EL + b"\r\nContent-Length: 0\r\n\r\n")
c.close()

# 3. HTTP: a bad Transfer-Encoding in the response.
c = Conn(80)
c.open()
c.send(0, b"GET /te HTTP/1.1\r\nHost: h\r\n\r\n")
c.send(1, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: x" + EL + b"\r\n\r\nsome " + E)
c.close()

# 4. HTTP: an Upgrade to a hostile protocol name, answered 101.
c = Conn(80)
c.open()
c.send(0, b"GET /up HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: x" + EL + b"\r\n\r\n")
c.send(1, b"HTTP/1.1 101 Switching" + EL + b"\r\nConnection: Upgrade\r\nUpgrade: x" + EL + b"\r\n\r\n" + E)
c.close()

# 5. WebSocket: text frames with hostile text, a close with a hostile reason.
def ws_frame(opcode, payload, mask):
    h = bytes([0x80 | opcode])
    n = len(payload)
    mbit = 0x80 if mask else 0
    if n < 126:
        h += bytes([mbit | n])
    else:
        h += bytes([mbit | 126]) + struct.pack(">H", n)
    if mask:
        key = bytes(rng.randrange(256) for _ in range(4))
        return h + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return h + payload


c = Conn(80)
c.open()
c.send(0, b"GET /ws" + EW + b" HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
       b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
       b"Sec-WebSocket-Protocol: p" + EW + b"\r\n\r\n")
c.send(1, b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
       b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
c.send(0, ws_frame(1, b"hi " + E, True))
c.send(1, ws_frame(1, b"yo " + E, False))
c.send(1, ws_frame(2, b"bin " + E, False))
c.send(0, ws_frame(8, struct.pack(">H", 1000) + b"bye" + EL, True))
c.close()

# 6. SSE: every field hostile.
c = Conn(80)
c.open()
c.send(0, b"GET /events HTTP/1.1\r\nHost: h\r\nAccept: text/event-stream\r\n\r\n")
c.send(1, b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n")
c.send(1, b"event: e" + EL + b"\ndata: d" + EL + b"\nid: i" + EL + b"\nretry: 1" + EL + b"\n: c" + EL +
       b"\nx" + EW + b": y" + EL + b"\n\n")
c.close()

# 7. Redis: a command and replies with hostile strings.
def bulk(s):
    return b"$" + str(len(s)).encode() + b"\r\n" + s + b"\r\n"


c = Conn(6379)
c.open()
c.send(0, b"*3\r\n" + bulk(b"SET") + bulk(b"k" + E) + bulk(b"v" + E))
c.send(1, b"+OK" + EL + b"\r\n")
c.send(0, b"*2\r\n" + bulk(b"GET") + bulk(b"k" + E))
c.send(1, b"-ERR " + EL + b"\r\n")
c.send(0, b"*1\r\n" + bulk(E))
c.send(1, b"*2\r\n" + bulk(b"a" + E) + b"+s" + EL + b"\r\n")
c.close()

# 8. MySQL: greeting, login, a query and an error, all with hostile strings.
def mpkt(seq, body):
    return struct.pack("<I", len(body))[:3] + bytes([seq]) + body


c = Conn(3306)
c.open()
caps = 0x0200 | 0x8000 | 0x80000 | 0x0008
greet = (b"\x0a" + b"5.7.44\x00" + struct.pack("<I", 7) + b"abcdefgh" + b"\x00" + struct.pack("<H", caps & 0xffff) +
         b"\x21" + struct.pack("<H", 2) + struct.pack("<H", caps >> 16) + b"\x15" + b"\x00" * 10 +
         b"ijklmnopqrst\x00" + b"plug" + EL.replace(b"\x00", b"") + b"\x00")
c.send(1, mpkt(0, greet))
login = (struct.pack("<IIB", caps, 1 << 24, 0x21) + b"\x00" * 23 + b"user" + EL + b"\x00" + b"\x00" +
         b"db" + EL + b"\x00" + b"mysql_native_password\x00")
c.send(0, mpkt(1, login))
c.send(1, mpkt(2, b"\x00\x00\x00\x02\x00\x00\x00"))
c.send(0, mpkt(0, b"\x03SELECT '" + E + b"'"))
c.send(1, mpkt(1, b"\xff\x28\x04#42000You have an error " + E))
c.close()

# 9. DNS over UDP: hostile bytes in labels, a CNAME and a TXT answer.
def name(labels):
    return b"".join(bytes([len(x)]) + x for x in labels) + b"\x00"


q = name([b"a" + EW[:40], b"ex" + EW[40:80], b"com"])
udp(53000, 53, 0, struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + q + struct.pack(">HH", 1, 1))
ans = (q + struct.pack(">HHIH", 5, 1, 60, len(name([b"c" + EW[:50], b"x"]))) + name([b"c" + EW[:50], b"x"]) +
       q + struct.pack(">HHIH", 16, 1, 60, 1 + len(E[:200])) + bytes([len(E[:200])]) + E[:200])
udp(53000, 53, 1, struct.pack(">HHHHHH", 0x1234, 0x8180, 1, 2, 0, 0) + q + struct.pack(">HH", 1, 1) + ans)

# 10. Plain TCP nothing decodes: the payload itself is hostile (text-looking and binary).
c = Conn(9999)
c.open()
c.send(0, b"hello " + E + b"\r\nmore text " + E + b"\n")
c.send(1, bytes(rng.randrange(256) for _ in range(64)) + E)
c.close()

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "capture.pcap")
with open(out, "wb") as f:
    f.write(pcapgen.PCAP_HEADER)
    for fr in frames:
        f.write(fr)
