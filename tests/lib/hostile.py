"""hostile.py: hostile captures for issue 11, one per attack, made from fixed seeds.

Each generator writes one capture (every one under 25 MB) and is deterministic: the
same call gives the same bytes. Nothing is committed; tests/suite/hostile and
tests/suite/hostile-linear write the captures into a temporary folder at test time.

    python3 tests/lib/hostile.py DIR [NAME ...]       # write captures into DIR
    python3 tests/lib/hostile.py --list

INPUTS maps a name to (generator, n): generator(path, n) writes the capture. The
generators marked in SCALABLE take a size n (segments, connections, elements,
trailers) so the linear suite can make the same input at 10k, 40k and 160k.

Frames are Ethernet/IPv4 (or IPv6)/TCP with checksums 0 (chattcp does not validate
them), built with tests/lib/pcapgen.py's frame layout."""
import base64
import ctypes
import ctypes.util
import hashlib
import os
import random
import struct
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapgen  # noqa: E402

SEED = 11  # issue 11

# Control bytes a hostile capture puts in every string chattcp shows: OSC 0 (window
# title), CSI 2J (clear screen), OSC 52 (clipboard write), BEL, BS, a bare CR, DEL, a
# raw C1 CSI (0x9b, not UTF-8) and U+009B encoded in UTF-8 (a CSI in several terminals).
EVIL = b"\x1b]0;OWNED\x07\x1b[2J\x1b]52;c;ZWNobyBwd25lZA==\x07\x08\x08\x7f\x9b31m\xc2\x9b31m\xc2\x85"
EVIL_SHORT = b"\x1b[2J\x07\x9b\xc2\x9b"


# ---------------------------------------------------------------- frames and files

class Pcap:
    """Records collected in memory (every input is under 25 MB), written by save()."""

    def __init__(self, snaplen=262144):
        self.recs = []
        self.header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, 1)

    def add(self, rec):
        self.recs.append(rec)

    @property
    def frames(self):
        return len(self.recs)

    def save(self, path):
        with open(path, "wb") as f:
            f.write(self.header)
            f.write(b"".join(self.recs))


def ip4(i):
    return bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])


def frame6(t, src, dst, sport, dport, seq, ack, flags, payload=b""):
    """An Ethernet/IPv6/TCP record (pcapgen._frame's layout, IPv6 header)."""
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack(">IHBB16s16s", 0x60000000, len(tcp) + len(payload), 6, 64, src, dst)
    eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x86\xdd"
    pkt = eth + ip + tcp + payload
    sec, usec = int(t), int(round((t - int(t)) * 1e6))
    return struct.pack("<IIII", sec, usec, len(pkt), len(pkt)) + pkt


def cut_record(rec, caplen):
    """rec (a pcap record) with its captured bytes cut to caplen (wire length kept)."""
    sec, usec, _, wire = struct.unpack("<IIII", rec[:16])
    return struct.pack("<IIII", sec, usec, caplen, wire) + rec[16:16 + caplen]


class Tcp:
    """One TCP connection written into a Pcap: handshake, data each way (segments of
    at most seg bytes, each ACKed unless ack=False), FIN exchange. dir 0: client to
    server, 1: server to client."""

    def __init__(self, cap, cli, srv, sport, dport, t=1.7e9, step=1e-4, seg=1448):
        self.cap, self.ep = cap, [(cli, sport), (srv, dport)]
        self.seq = [1000, 5000000]
        self.t, self.step, self.seg = t, step, seg

    def rec(self, d, flags, payload=b"", seq=None):
        (s, sp), (r, rp) = self.ep[d], self.ep[1 - d]
        self.t += self.step
        return pcapgen._frame(self.t, s, r, sp, rp, self.seq[d] if seq is None else seq, self.seq[1 - d], flags,
                              payload)

    def pkt(self, d, flags, payload=b""):
        self.cap.add(self.rec(d, flags, payload))
        self.seq[d] += len(payload) + (1 if flags & 0x03 else 0)

    def handshake(self):
        self.pkt(0, 0x02)
        self.pkt(1, 0x12)
        self.pkt(0, 0x10)
        return self

    def send(self, d, data, ack=True, seg=None):
        seg = seg or self.seg
        for i in range(0, len(data), seg):
            self.pkt(d, 0x18, data[i:i + seg])
            if ack:
                self.pkt(1 - d, 0x10)
        return self

    def close(self):
        self.pkt(1, 0x11)
        self.pkt(0, 0x11)
        self.pkt(1, 0x10)
        return self


def http_conn(cap, i, exchanges, dport=80, t=1.7e9, ack=True):
    """A keep-alive HTTP connection from client i carrying exchanges [(request, response)]."""
    c = Tcp(cap, ip4(i + 1), bytes([10, 255, 0, 1]), 40000 + (i % 20000), dport, t=t + i * 0.01).handshake()
    for rq, rs in exchanges:
        c.send(0, rq, ack=ack)
        c.send(1, rs, ack=ack)
    return c.close()


def resp(status, headers, body=b"", reason=b"OK"):
    h = b"HTTP/1.1 %d %s\r\n" % (status, reason)
    for k, v in headers:
        h += k + b": " + v + b"\r\n"
    return h + b"\r\n" + body


def get(uri, extra=b"", host=b"example.test"):
    return b"GET " + uri + b" HTTP/1.1\r\nHost: " + host + b"\r\n" + extra + b"\r\n"


# ---------------------------------------------------------------- compressors

def gzip_zeros(n):
    """gzip of n zero bytes (a multiple of 1 MiB), made fast: 1 MiB of zeros deflated
    and ended with a full flush (byte-aligned, no reference to earlier data), so the
    same ~1 KB piece repeated n/1 MiB times is a valid deflate stream (deflate's best
    ratio, ~1030:1); then the final empty block and the gzip trailer (RFC 1952)."""
    mib = 1 << 20
    assert n % mib == 0
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = co.compress(bytes(mib)) + co.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final block
    crc, zero = 0, bytes(mib)
    for _ in range(n // mib):
        crc = zlib.crc32(zero, crc)
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + piece * (n // mib) + end +
            struct.pack("<II", crc, n & 0xFFFFFFFF))


def gzip_bytes(b):
    co = zlib.compressobj(9, zlib.DEFLATED, 31)
    return co.compress(b) + co.flush()


def zstd_rle(n, byte=0):
    """A zstd frame of n copies of byte made of RLE blocks (RFC 8878 §3.1.1.2): 4 bytes
    per 128 KiB, so 1 GiB costs 32 KiB. Window 128 KiB, no content size, no checksum."""
    out = [b"\x28\xb5\x2f\xfd", b"\x00", bytes([7 << 3])]
    blk = 128 << 10
    while n > 0:
        k = min(n, blk)
        n -= k
        hdr = (k << 3) | (1 << 1) | (1 if n == 0 else 0)
        out.append(struct.pack("<I", hdr)[:3] + bytes([byte]))
    return b"".join(out)


def brotli_zeros(n):
    """Brotli of n zero bytes through libbrotlienc (streamed, quality 5, 16 MiB window)."""
    lib = ctypes.CDLL(ctypes.util.find_library("brotlienc") or "libbrotlienc.so.1")
    lib.BrotliEncoderCreateInstance.restype = ctypes.c_void_p
    lib.BrotliEncoderCreateInstance.argtypes = [ctypes.c_void_p] * 3
    lib.BrotliEncoderSetParameter.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
    lib.BrotliEncoderCompressStream.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_size_t),
                                                ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t),
                                                ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p]
    lib.BrotliEncoderHasMoreOutput.argtypes = [ctypes.c_void_p]
    lib.BrotliEncoderDestroyInstance.argtypes = [ctypes.c_void_p]
    s = lib.BrotliEncoderCreateInstance(None, None, None)
    lib.BrotliEncoderSetParameter(s, 1, 5)   # BROTLI_PARAM_QUALITY
    lib.BrotliEncoderSetParameter(s, 2, 24)  # BROTLI_PARAM_LGWIN
    block = ctypes.create_string_buffer(1 << 20)
    obuf = ctypes.create_string_buffer(1 << 16)
    out = []
    while True:
        k = min(n, 1 << 20)
        n -= k
        op = 2 if n == 0 else 0  # FINISH on the last block, else PROCESS
        avail_in = ctypes.c_size_t(k)
        next_in = ctypes.c_void_p(ctypes.addressof(block))
        while True:
            avail_out = ctypes.c_size_t(len(obuf))
            next_out = ctypes.c_void_p(ctypes.addressof(obuf))
            lib.BrotliEncoderCompressStream(s, op, ctypes.byref(avail_in), ctypes.byref(next_in),
                                            ctypes.byref(avail_out), ctypes.byref(next_out), None)
            out.append(obuf.raw[:len(obuf) - avail_out.value])
            if avail_in.value == 0 and not lib.BrotliEncoderHasMoreOutput(s):
                break
        if op == 2:
            break
    lib.BrotliEncoderDestroyInstance(s)
    return b"".join(out)


def raw_deflate_zeros(n):
    """permessage-deflate payload (RFC 7692 §7.2.1): raw deflate of n zero bytes,
    sync-flushed, the trailing 00 00 ff ff removed."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = bytes(1 << 20)
    out = []
    while n > 0:
        k = min(n, len(block))
        out.append(co.compress(block[:k]))
        n -= k
    out.append(co.flush(zlib.Z_SYNC_FLUSH))
    data = b"".join(out)
    assert data.endswith(b"\x00\x00\xff\xff")
    return data[:-4]


def ws_frame(opcode, payload, rsv1=False, length=None, mask=None):
    """A WebSocket frame (RFC 6455 §5.2); length overrides the length field."""
    n = len(payload) if length is None else length
    b0 = 0x80 | (0x40 if rsv1 else 0) | opcode
    mbit = 0x80 if mask else 0
    if n < 126:
        h = bytes([b0, mbit | n])
    elif n < 65536:
        h = bytes([b0, mbit | 126]) + struct.pack(">H", n)
    else:
        h = bytes([b0, mbit | 127]) + struct.pack(">Q", n)
    if mask:
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
        h += mask
    return h + payload


WS_KEY = b"dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455 §1.3's example key
WS_ACCEPT = base64.b64encode(hashlib.sha1(WS_KEY + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())


def ws_handshake(deflate):
    ext = b"Sec-WebSocket-Extensions: permessage-deflate\r\n" if deflate else b""
    rq = (b"GET /chat HTTP/1.1\r\nHost: example.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          b"Sec-WebSocket-Key: " + WS_KEY + b"\r\nSec-WebSocket-Version: 13\r\n" + ext + b"\r\n")
    rs = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          b"Sec-WebSocket-Accept: " + WS_ACCEPT + b"\r\n" + ext + b"\r\n")
    return rq, rs


# ---------------------------------------------------------------- 1. terminal injection

def ctl_request(path, n=None):
    """Control bytes in the request: URI, header names and values, a bare CR, a request
    head split over three segments, a request body over three ("part of http
    request ..." in chat), and a raw TCP
    connection whose payload is control bytes both ways."""
    cap = Pcap()
    rq = (b"GET /" + EVIL + b"/a?q=" + EVIL + b" HTTP/1.1\r\nHost: h" + EVIL + b"\r\n"
          b"X-" + EVIL_SHORT + b"Name: " + EVIL + b"\r\nUser-Agent: a\rb" + EVIL_SHORT + b"\r\n"
          b"Cookie: \x1b[8m" + bytes(range(1, 32)) + b"\r\n\r\n")
    http_conn(cap, 0, [(rq, resp(200, [(b"Content-Length", b"2")], b"ok"))])
    # The request head in three segments, the first ending inside the URI: chat shows
    # the packets before the last as "part of http request (from #N): GET /...".
    c = Tcp(cap, ip4(2), bytes([10, 255, 0, 1]), 40002, 80, t=1.7e9 + 1).handshake()
    head = b"GET /" + EVIL + b"split" + EVIL + b" HTTP/1.1\r\nHost: x" + EVIL + b"\r\n\r\n"
    c.send(0, head[:20])
    c.send(0, head[20:90])
    c.send(0, head[90:])
    c.send(1, resp(200, [(b"Content-Length", b"2")], b"ok"))
    # A request whose body spans three segments: the packets before the last show
    # "part of http request (from #N): POST /..." with the hostile URI in the summary.
    post = b"POST /" + EVIL + b"up HTTP/1.1\r\nHost: x\r\nContent-Length: 300\r\n\r\n" + b"b" * 300
    c.send(0, post[:len(post) - 250])
    c.send(0, post[len(post) - 250:len(post) - 100])
    c.send(0, post[len(post) - 100:])
    c.send(1, resp(200, [(b"Content-Length", b"2")], b"ok"))
    c.close()
    # Raw bytes on a port nothing decodes.
    c = Tcp(cap, ip4(3), bytes([10, 255, 0, 2]), 40003, 7777, t=1.7e9 + 2).handshake()
    c.send(0, EVIL + bytes(range(256)) + b"\r\n")
    c.send(1, bytes(range(256)) + EVIL)
    c.close()
    cap.save(path)


def ctl_response(path, n=None):
    """Control bytes in the response: reason phrase, a 1xx reason, header names and
    values, Content-Type (shown by http and by the export listing), Content-Encoding
    (an unknown coding, and stream's "decoded from <Content-Encoding>"), and a bad
    Content-Length, Transfer-Encoding and Upgrade, each quoted in a note; one
    connection each, so one broken framing does not hide the next."""
    cap = Pcap()
    ct = b"text/plain" + EVIL
    cases = [
        # 1xx with a hostile reason, then a final answer with a hostile reason and fields
        (get(b"/r1.txt", b"Expect: 100-continue\r\n"),
         b"HTTP/1.1 100 Cont" + EVIL + b"inue\r\n\r\n" +
         resp(200, [(b"Content-Type", ct), (b"X-" + EVIL_SHORT + b"H", EVIL), (b"Content-Length", b"5")], b"hello",
              reason=b"O" + EVIL + b"K")),
        (get(b"/r2.txt"), resp(200, [(b"Content-Type", ct), (b"Content-Length", b"5" + EVIL)], b"hello")),
        (get(b"/r3.txt"), resp(200, [(b"Content-Type", ct), (b"Transfer-Encoding", b"chun" + EVIL + b"ked")],
                               b"5\r\nhello\r\n0\r\n\r\n")),
        (get(b"/r4.txt", b"Upgrade: " + EVIL + b"\r\nConnection: Upgrade\r\n"),
         resp(101, [(b"Upgrade", EVIL), (b"Connection", b"Upgrade")], reason=b"Switching " + EVIL)),
        (get(b"/r5.txt"), resp(200, [(b"Content-Type", ct), (b"Content-Encoding", EVIL), (b"Content-Length", b"5")],
                               b"hello")),
        (get(b"/r6.txt"), resp(200, [(b"Content-Type", ct), (b"Content-Encoding", b"gzip, " + EVIL),
                                     (b"Content-Length", b"5")], b"hello")),
        # a valid gzip body whose decoded text is hostile (the body preview must escape it too)
        (get(b"/r7.txt"), resp(200, [(b"Content-Type", ct), (b"Content-Encoding", b"gzip"),
                                     (b"Content-Length", b"%d" % len(gzip_bytes(EVIL * 4)))], gzip_bytes(EVIL * 4))),
        (get(b"/" + EVIL + b".html"), resp(404, [(b"Content-Type", ct), (b"Content-Length", b"3")], b"no" + EVIL[:1],
                                           reason=EVIL)),
    ]
    for i, ex in enumerate(cases):
        http_conn(cap, i, [ex])
    cap.save(path)


def json_seps(path, n=None):
    """U+0085, U+2028 and U+2029 (valid UTF-8) in a URI, a header value and a body: JSON
    must escape them (NDJSON readers split lines there), terminals must too (U+0085 is C1)."""
    cap = Pcap()
    seps = "a\u0085b\u2028c\u2029d".encode()
    rq = get(b"/" + seps, b"X-Sep: " + seps + b"\r\n")
    http_conn(cap, 0, [(rq, resp(200, [(b"Content-Type", b"text/" + seps), (b"X-Sep", seps),
                                       (b"Content-Length", b"%d" % len(seps))], seps, reason=seps))])
    cap.save(path)


# ---------------------------------------------------------------- 2. timestamps

def pcapng_shb():
    body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
    return struct.pack("<II", 0x0A0D0D0A, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))


def pcapng_block(btype, body):
    body += b"\x00" * (-len(body) % 4)
    return struct.pack("<II", btype, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))


def pcapng_idb(opts=b"", snaplen=0):
    return pcapng_block(1, struct.pack("<HHI", 1, 0, snaplen) + opts)


def pcapng_opt(code, val):
    return struct.pack("<HH", code, len(val)) + val + b"\x00" * (-len(val) % 4)


def pcapng_epb(ticks, pkt, iface=0):
    hi, lo = (ticks >> 32) & 0xFFFFFFFF, ticks & 0xFFFFFFFF
    return pcapng_block(6, struct.pack("<IIIII", iface, hi, lo, len(pkt), len(pkt)) + pkt)


def ts_extreme(path, n=None):
    """pcapng: an if_tsoffset of -5e9 s; tick 0 is then clamped to -2^62 ns and tick
    2^64-1 (microseconds) to +2^62 ns: one connection whose first and last packets are
    2^63 ns apart, one past INT64_MAX. An HTTP exchange in between (timing fields), a
    second connection entirely at +2^62 and one going backwards from +2^62 to -2^62."""
    idb = pcapng_idb(pcapng_opt(14, struct.pack("<q", -5000000000)) + pcapng_opt(0, b""))
    blocks = [pcapng_shb(), idb]
    top = (1 << 64) - 1

    def conn(i, ticks):
        cap = Pcap()
        c = Tcp(cap, ip4(i + 1), bytes([10, 255, 0, 1]), 41000 + i, 80)
        c.handshake()
        c.send(0, get(b"/t"))
        c.send(1, resp(200, [(b"Content-Length", b"2")], b"ok"))
        c.close()
        for k, r in enumerate(cap.recs):
            blocks.append(pcapng_epb(ticks(k, len(cap.recs)), r[16:]))

    conn(0, lambda k, n: 0 if k < n // 2 else top)           # -2^62 ... +2^62
    conn(1, lambda k, n: top - (n - k))                        # all at +2^62
    conn(2, lambda k, n: top if k % 2 == 0 else 0)             # back and forth
    conn(3, lambda k, n: 0)                                    # all at -2^62
    with open(path, "wb") as f:
        f.write(b"".join(blocks))


def ts_3syn(path, n=None):
    """Three SYNs of one connection attempt at t = 0, 2^32-16 s and 2^32-1 s (ordinary
    pcap timestamps): gaps of ~2^32 s, which overflow gap_ns*3 and d*20; the gaps
    shrink, so nothing may be called exponential backoff. Then the same at a later
    port with a SYN+ACK, so the handshake RTT is huge too."""
    cap = Pcap()
    cli, srv = ip4(1), bytes([10, 255, 0, 1])
    for t in (0.0, float(2 ** 32 - 16), float(2 ** 32 - 1)):
        cap.add(pcapgen._frame(t, cli, srv, 42000, 80, 1000, 0, 0x02))
    cap.add(pcapgen._frame(0.0, cli, srv, 42001, 80, 7000, 0, 0x02))
    cap.add(pcapgen._frame(float(2 ** 32 - 1), srv, cli, 80, 42001, 9000, 7001, 0x12))
    cap.add(pcapgen._frame(float(2 ** 32 - 1), cli, srv, 42001, 80, 7001, 9001, 0x10))
    cap.save(path)


# ---------------------------------------------------------------- 3. memory

SSE_HEAD = resp(200, [(b"Content-Type", b"text/event-stream"), (b"Cache-Control", b"no-cache")])


def sse_plain(path, n=None):
    """An SSE stream of empty comment lines (":\\n"), 2M of them, a blank line after
    every 1000: every comment becomes a field, events are never freed, no count cap."""
    cap = Pcap()
    body = (b":\n" * 1000 + b"\n") * 2000
    c = Tcp(cap, ip4(1), bytes([10, 255, 0, 1]), 40000, 80).handshake()
    c.send(0, get(b"/events", b"Accept: text/event-stream\r\n"))
    c.send(1, SSE_HEAD + body, ack=False)
    c.close()
    cap.save(path)


def sse_gzip(path, n=None):
    """The same SSE attack gzip'd: 64M comment lines (128 MiB) in a ~130 KB body."""
    cap = Pcap()
    co = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b":\n" * (1 << 19)
    body = b"".join(co.compress(block) for _ in range(128)) + co.flush()
    head = resp(200, [(b"Content-Type", b"text/event-stream"), (b"Content-Encoding", b"gzip"),
                      (b"Content-Length", b"%d" % len(body))])
    c = Tcp(cap, ip4(1), bytes([10, 255, 0, 1]), 40000, 80).handshake()
    c.send(0, get(b"/events", b"Accept: text/event-stream\r\n"))
    c.send(1, head + body, ack=False)
    c.close()
    cap.save(path)


def bombs(path, body, coding, count=100, per_conn=25):
    cap = Pcap()
    ex = []
    for i in range(count):
        rs = resp(200, [(b"Content-Type", b"application/octet-stream"), (b"Content-Encoding", coding),
                        (b"Content-Length", b"%d" % len(body))], body)
        ex.append((get(b"/bomb%d.bin" % i), rs))
    for k in range(0, count, per_conn):
        http_conn(cap, k // per_conn, ex[k:k + per_conn], ack=False)
    cap.save(path)


def bomb_gzip(path, n=None):
    """100 gzip bodies of 64 MiB of zeros each (65 KB on the wire): 6.4 GiB decoded."""
    bombs(path, gzip_zeros(64 << 20), b"gzip")


def bomb_br(path, n=None):
    """100 brotli bodies, each 256 MiB of zeros in ~300 bytes (25 GiB decoded in all).
    256 MiB, not 1 GiB: brotli needs ~7 s to make a 1 GiB bomb; the 1 GiB cap is
    tripped by bomb-zstd and decode-cap."""
    bombs(path, brotli_zeros(256 << 20), b"br")


def bomb_zstd(path, n=None):
    """100 zstd bodies, each 1 GiB + 1 MiB of zeros in RLE blocks (32 KB on the wire)."""
    bombs(path, zstd_rle((1 << 30) + (1 << 20)), b"zstd")


def ws_deflate_bomb(path, n=None):
    """WebSocket with permessage-deflate negotiated (RFC 7692), then 50 server messages,
    each 16 MiB of zeros deflated to ~16 KB (the inflate cap): ~800 MB kept today."""
    cap = Pcap()
    rq, rs = ws_handshake(True)
    c = Tcp(cap, ip4(1), bytes([10, 255, 0, 1]), 40000, 80).handshake()
    c.send(0, rq)
    c.send(1, rs)
    msg = ws_frame(2, raw_deflate_zeros(16 << 20), rsv1=True)
    for _ in range(50):
        c.send(1, msg, ack=False)
    c.send(0, ws_frame(1, b"bye", mask=b"\x01\x02\x03\x04"))
    c.close()
    cap.save(path)


def many_conns(path, n=200000):
    """n HTTP connections with data: one client segment each (a whole request, no
    handshake), so each keeps an HTTP decoder open waiting for its answer."""
    cap = Pcap()
    srv = bytes([10, 255, 0, 1])
    rq = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
    t = 1.7e9
    for i in range(n):
        t += 1e-5
        cap.add(pcapgen._frame(t, ip4(i + 1), srv, 1024 + (i % 60000), 80, 1000, 1, 0x18, rq))
    cap.save(path)


# ---------------------------------------------------------------- 4. time

def reversed_segments(path, n=160000):
    """An HTTP answer whose n body segments (8 bytes each) arrive in reverse order, the
    head last: every one is an out-of-order insert."""
    cap = Pcap()
    c = Tcp(cap, ip4(1), bytes([10, 255, 0, 1]), 40000, 80).handshake()
    c.send(0, get(b"/rev.bin"))
    body_len = 8 * n
    head = resp(200, [(b"Content-Type", b"application/octet-stream"), (b"Content-Length", b"%d" % body_len)])
    base = c.seq[1]
    segs = [(base, head)] + [(base + len(head) + 8 * i, b"%07d\n" % (i % 10000000)) for i in range(n)]
    for seq, data in reversed(segs):
        cap.add(c.rec(1, 0x18, data, seq=seq))
    c.seq[1] = base + len(head) + body_len
    c.pkt(0, 0x10)
    c.close()
    cap.save(path)


def caplen0_segments(path, n=320000):
    """n server segments claiming 100 payload bytes each but captured without any
    payload (caplen = the 54 header bytes), in reverse order: 32 MB claimed, nothing
    held, so nothing counts against the reassembly cap today."""
    cap = Pcap(snaplen=54)
    c = Tcp(cap, ip4(1), bytes([10, 255, 0, 1]), 40000, 80).handshake()
    c.send(0, get(b"/cut.bin"))
    base = c.seq[1]
    head = resp(200, [(b"Content-Length", b"%d" % (100 * n))])
    filler = b"x" * 100
    recs = [c.rec(1, 0x18, head, seq=base)]
    for i in range(n):
        recs.append(cut_record(c.rec(1, 0x18, filler, seq=base + len(head) + 100 * i), 54))
    for r in reversed(recs):
        cap.add(r)
    c.seq[1] = base + len(head) + 100 * n
    c.pkt(0, 0x10)
    c.close()
    cap.save(path)


MIX_C = 0x9E3779B97F4A7C15
M64 = (1 << 64) - 1


def colliding_addr(i, target):
    """An IPv6 address whose first mix() step in src/flow/conntab.c gives target:
    mix(w0, w1) = w0 ^ (w1 + C + (w0 << 6) + (w0 >> 2)), so for any w0 the w1 that
    makes it target is (target ^ w0) - C - (w0 << 6) - (w0 >> 2). Every address made
    so, with the same port, has the same full 64-bit hash: all land in one probe chain.
    (A keyed hash makes these ordinary addresses.)"""
    w0 = (0x20010db8 << 32 | i) & M64  # 2001:db8::/32 in memory order below
    w0 = int.from_bytes(struct.pack(">Q", w0), "little")
    w1 = ((target ^ w0) - MIX_C - ((w0 << 6) & M64) - (w0 >> 2)) & M64
    return struct.pack("<QQ", w0, w1)


def colliding_tuples(path, n=40000):
    """n SYNs from n IPv6 clients, same source port, to one server: every 4-tuple has
    the same connection-table hash today (computed offline, see colliding_addr)."""
    cap = Pcap()
    srv = bytes.fromhex("20010db8ffff00000000000000000001")
    target = 0x0123456789ABCDEF
    t = 1.7e9
    for i in range(n):
        t += 1e-5
        cap.add(frame6(t, colliding_addr(i, target), srv, 50000, 80, 1000 + i, 0, 0x02))
    cap.save(path)


def redis_array(path, n=1000000):
    """A Redis reply of one n-element array of 8-byte bulk strings (LRANGE's answer,
    14n bytes in 1448-byte segments): re-parsed from its start on every segment today.
    Bulk strings, not integers: an element larger than the smallest possible one keeps
    the parser's estimate of the bytes still needed low, so it re-parses more often."""
    cap = Pcap()
    c = Tcp(cap, ip4(1), bytes([10, 255, 0, 1]), 40000, 6379).handshake()
    c.send(0, b"*4\r\n$6\r\nLRANGE\r\n$1\r\nk\r\n$1\r\n0\r\n$2\r\n-1\r\n")
    c.send(1, b"*%d\r\n" % n + b"$8\r\nabcdefgh\r\n" * n, ack=False)
    c.pkt(0, 0x10)
    c.send(0, b"*1\r\n$4\r\nPING\r\n")
    c.send(1, b"+PONG\r\n")
    c.close()
    cap.save(path)


def chunked_trailers(path, n=80000):
    """A chunked answer with n trailer fields (no count cap today; --json de-duplicates
    field names in O(n^2))."""
    cap = Pcap()
    body = b"5\r\nhello\r\n0\r\n" + b"".join(b"X-T%d: v\r\n" % i for i in range(n)) + b"\r\n"
    rs = resp(200, [(b"Content-Type", b"text/plain"), (b"Transfer-Encoding", b"chunked"),
                    (b"Trailer", b"X-T0")], body)
    c = Tcp(cap, ip4(1), bytes([10, 255, 0, 1]), 40000, 80).handshake()
    c.send(0, get(b"/trailers.txt", b"TE: trailers\r\n"))
    c.send(1, rs, ack=False)
    c.pkt(0, 0x10)
    c.close()
    cap.save(path)


# ---------------------------------------------------------------- 5. amplification, wrong output

def range_huge(path, n=None):
    """50 answers 206, each 100 bytes of a resource whose Content-Range total is 1 GiB
    (the merge limit): export makes a 1 GiB sparse file per resource and hashes it."""
    cap = Pcap()
    ex = []
    for i in range(50):
        ex.append((get(b"/huge%d.bin" % i, b"Range: bytes=0-99\r\n"),
                   resp(206, [(b"Content-Type", b"application/octet-stream"),
                              (b"Content-Range", b"bytes 0-99/1073741824"), (b"Content-Length", b"100")],
                        b"%099d\n" % i, reason=b"Partial Content")))
    http_conn(cap, 0, ex)
    cap.save(path)


def range_2048(path, n=None):
    """Two URIs that share their first 2100 bytes and differ after: each gets one 206
    piece (bytes 0-9 of one, 10-19 of the other, total 20). Two resources, each with a
    gap; merged on a key cut at 2048 bytes they become one 'complete' file."""
    cap = Pcap()
    stem = b"/r/" + b"a" * 2100
    ex = [(get(stem + b"/one.bin", b"Range: bytes=0-9\r\n"),
           resp(206, [(b"Content-Range", b"bytes 0-9/20"), (b"Content-Length", b"10")], b"0123456789",
                reason=b"Partial Content")),
          (get(stem + b"/two.bin", b"Range: bytes=10-19\r\n"),
           resp(206, [(b"Content-Range", b"bytes 10-19/20"), (b"Content-Length", b"10")], b"abcdefghij",
                reason=b"Partial Content"))]
    http_conn(cap, 0, ex)
    cap.save(path)


def ws_len64(path, n=None):
    """WebSocket frames whose 64-bit length is near 2^64 (and one with the top bit set,
    which RFC 6455 §5.2 forbids): the message end offset wraps today."""
    cap = Pcap()
    rq, rs = ws_handshake(False)
    c = Tcp(cap, ip4(1), bytes([10, 255, 0, 1]), 40000, 80).handshake()
    c.send(0, rq)
    c.send(1, rs)
    c.send(1, ws_frame(1, b"hello", length=(1 << 64) - 16))
    c.send(1, ws_frame(2, b"x" * 64, length=(1 << 63) + 5))
    c.send(0, ws_frame(1, b"hi", mask=b"\x01\x02\x03\x04", length=(1 << 64) - 1))
    c.close()
    cap.save(path)


def decode_cap(path, n=None):
    """Three complete bodies of 1 GiB + 1 MiB: gzip with a Content-Length, zstd chunked,
    zstd delimited by the close. The decode cap trips on each; the output must say so,
    and must not also claim the stream stopped before its end."""
    cap = Pcap()
    big = (1 << 30) + (1 << 20)
    gz, zs = gzip_zeros(big), zstd_rle(big)
    bodies = [([(b"Content-Encoding", b"gzip"), (b"Content-Length", b"%d" % len(gz))], gz),
              ([(b"Content-Encoding", b"zstd"), (b"Transfer-Encoding", b"chunked")],
               b"%x\r\n" % len(zs) + zs + b"\r\n0\r\n\r\n"),
              ([(b"Content-Encoding", b"zstd")], zs)]
    for i, (hdrs, body) in enumerate(bodies):
        http_conn(cap, i, [(get(b"/big%d.bin" % i), resp(200, hdrs, body))], ack=False)
    cap.save(path)


GZ2_PLAIN = b"hello world\n" * 100  # 1200 bytes once both codings are undone


def gzip_gzip(path, n=None):
    """Content-Encoding: gzip, gzip (stacked codings, RFC 9110 §8.4): both must be undone."""
    cap = Pcap()
    body = gzip_bytes(gzip_bytes(GZ2_PLAIN))
    http_conn(cap, 0, [(get(b"/twice.txt"), resp(200, [(b"Content-Type", b"text/plain"),
                                                      (b"Content-Encoding", b"gzip, gzip"),
                                                      (b"Content-Length", b"%d" % len(body))], body))])
    cap.save(path)


EXPORT_NAMES = [b"-rf", b"--force", b"CON", b"NUL.txt", b"file.txt.", b"aux", b"COM1.log", b"lpt9",
                b"con.tar.gz", b"trail ", b".hidden", b"-", b"%2d%2dall", b"..%2f..%2fescape"]


def export_names(path, n=None):
    """Files whose URL names are options (-rf, --force), Windows device names (CON,
    NUL.txt, aux, COM1.log), a trailing dot or space, a hidden name, an encoded ../."""
    cap = Pcap()
    ex = [(get(b"/d/" + nm.replace(b" ", b"%20")), resp(200, [(b"Content-Type", b"text/plain"),
                                                             (b"Content-Length", b"4")], b"data"))
          for nm in EXPORT_NAMES]
    http_conn(cap, 0, ex)
    cap.save(path)


def pcapng_big_block(path, n=None):
    """pcapng: one ordinary packet, then an Enhanced Packet Block of 300 KiB (a pcap
    record that size is refused at 256 KiB): one limit for both formats."""
    cap = Pcap()
    c = Tcp(cap, ip4(1), bytes([10, 255, 0, 1]), 40000, 80).handshake()
    c.send(0, get(b"/x"))
    blocks = [pcapng_shb(), pcapng_idb()]
    for r in cap.recs:
        blocks.append(pcapng_epb(1700000000000000, r[16:]))
    big = cap.recs[-1][16:] + bytes(300 << 10)
    blocks.append(pcapng_epb(1700000000000001, big))
    with open(path, "wb") as f:
        f.write(b"".join(blocks))


# ---------------------------------------------------------------- the list

# name: (generator, default size, what it attacks)
INPUTS = {
    "ctl-request": (ctl_request, None),
    "ctl-response": (ctl_response, None),
    "json-seps": (json_seps, None),
    "ts-extreme": (ts_extreme, None),
    "ts-3syn": (ts_3syn, None),
    "sse-plain": (sse_plain, None),
    "sse-gzip": (sse_gzip, None),
    "bomb-gzip": (bomb_gzip, None),
    "bomb-br": (bomb_br, None),
    "bomb-zstd": (bomb_zstd, None),
    "ws-deflate-bomb": (ws_deflate_bomb, None),
    "many-conns": (many_conns, 200000),
    "reversed": (reversed_segments, 160000),
    "caplen0": (caplen0_segments, 320000),
    "colliding": (colliding_tuples, 40000),
    "redis-array": (redis_array, 1000000),
    "trailers": (chunked_trailers, 80000),
    "range-huge": (range_huge, None),
    "range-2048": (range_2048, None),
    "ws-len64": (ws_len64, None),
    "decode-cap": (decode_cap, None),
    "gzip-gzip": (gzip_gzip, None),
    "export-names": (export_names, None),
    "pcapng-big-block": (pcapng_big_block, None),
}

# The generators the linear suite runs at 10k, 40k and 160k.
SCALABLE = ["reversed", "caplen0", "colliding", "redis-array", "trailers"]


def write(name, dirpath, n=None):
    """Writes input name (at size n, default its own) into dirpath; returns its path."""
    gen, default = INPUTS[name]
    size = n if n is not None else default
    path = os.path.join(dirpath, name + ("" if n is None else "-%d" % n) +
                        (".pcapng" if name in ("ts-extreme", "pcapng-big-block") else ".pcap"))
    random.seed(SEED)
    gen(path, size)
    return path


if __name__ == "__main__":
    if sys.argv[1:2] == ["--list"]:
        for k, (g, _) in INPUTS.items():
            print("%-18s %s" % (k, (g.__doc__ or "").strip().splitlines()[0]))
        sys.exit(0)
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    for name in sys.argv[2:] or list(INPUTS):
        p = write(name, d)
        print("%-18s %10d %s" % (name, os.path.getsize(p), p))
