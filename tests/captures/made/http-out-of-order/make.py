#!/usr/bin/env python3
# make.py: writes capture.pcap (no root, no network): HTTP responses that finish out of
# capture order (bodies "until close", ended by a late FIN) and share names, two "/"
# (object<N>) and two overlapping 206 pieces of one resource, the earlier in capture
# order finishing last. Export must name and merge them as if they finished in order.
import struct, sys
frames = []
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
class Conn:
    def __init__(self, cport):
        self.c = ('10.0.0.1', cport); self.s = ('10.0.0.2', 80)
        self.seq = [1000, 50000]
    def pkt(self, d, flags, data=b''):
        src, dst = (self.c, self.s) if d == 0 else (self.s, self.c)
        seq = self.seq[d]; ack = self.seq[1-d]
        tcp = struct.pack('!HHIIBBHHH', src[1], dst[1], seq, ack, 5 << 4, flags, 65535, 0, 0) + data
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0,
                         bytes(map(int, src[0].split('.'))), bytes(map(int, dst[0].split('.'))))
        ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
        eth = b'\x00\x11\x22\x33\x44\x55' + b'\x66\x77\x88\x99\xaa\xbb' + b'\x08\x00'
        frames.append(eth + ip + tcp)
        self.seq[d] += len(data) + (1 if flags & 0x03 else 0)
    def open(self):
        self.pkt(0, 0x02); self.pkt(1, 0x12); self.pkt(0, 0x10)
    def close(self):
        self.pkt(1, 0x11); self.pkt(0, 0x11); self.pkt(1, 0x10)
S, SA, A, PA, FA = 0x02, 0x12, 0x10, 0x18, 0x11
c1, c2, c3, c4, c5, c6 = (Conn(40001 + i) for i in range(6))
for c in (c1, c2, c3, c4, c5, c6): c.open()
# c1: /a.txt until close: body now, FIN much later -> finishes last, sorts first
c1.pkt(0, PA, b'GET /a.txt HTTP/1.1\r\nHost: h\r\n\r\n')
c1.pkt(1, PA, b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nfirst a.txt by capture order\n')
# c5: "/" until close, late FIN
c5.pkt(0, PA, b'GET / HTTP/1.1\r\nHost: h\r\n\r\n')
c5.pkt(1, PA, b'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>root one</p>')
# c3: 206 piece 0-9/20 until close
c3.pkt(0, PA, b'GET /r.bin?x=1 HTTP/1.1\r\nHost: h\r\nRange: bytes=0-9\r\n\r\n')
c3.pkt(1, PA, b'HTTP/1.1 206 Partial Content\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-9/20\r\n\r\nAAAAAAAAAA')
# c2: /a.txt with Content-Length: finishes now
c2.pkt(0, PA, b'GET /a.txt HTTP/1.1\r\nHost: h\r\n\r\n')
c2.pkt(1, PA, b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 21\r\n\r\nsecond a.txt, earlier')
# c4: 206 piece 5-14/20 with length, finishes before c3's, overlaps it
c4.pkt(0, PA, b'GET /r.bin?x=2 HTTP/1.1\r\nHost: h\r\nRange: bytes=5-14\r\n\r\n')
c4.pkt(1, PA, b'HTTP/1.1 206 Partial Content\r\nContent-Type: application/x-later\r\nContent-Range: bytes 5-14/20\r\nContent-Length: 10\r\n\r\nBBBBBBBBBB')
# c6: "/" and a(1).txt literal, with length
c6.pkt(0, PA, b'GET / HTTP/1.1\r\nHost: h\r\n\r\n')
c6.pkt(1, PA, b'HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nroot two')
c6.pkt(0, PA, b'GET /a(1).txt HTTP/1.1\r\nHost: h\r\n\r\n')
c6.pkt(1, PA, b'HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nliteral')
for c in (c2, c4, c6, c3, c5, c1): c.close()
with open(sys.argv[1] if len(sys.argv) > 1 else "capture.pcap", "wb") as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, fr in enumerate(frames):
        f.write(struct.pack('<IIII', 1000 + i, 0, len(fr), len(fr)) + fr)
