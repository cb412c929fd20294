#!/usr/bin/env python3
"""gen_reasm.py: hostile captures for TCP reassembly and the connection table, whose cost
grew with the square of their size before issue 11 (item 4). Fixed seed, written to
standard output as classic pcap, so a test can make the same input at 10k, 40k and 160k
and compare times (time at 4x input <= 5x time).

usage: gen_reasm.py KIND N [--seg BYTES] > x.pcap

  reversed  one HTTP connection whose response comes in N segments of --seg bytes
            (default 16), sent last segment first: every segment but the last one
            sent is held out of order (was a linear scan + memmove per segment).
  caplen0   the same, but each segment is cut to caplen 0 (headers only) except the
            response head; wire length --seg (default 1448). Such segments held no
            bytes and so were never counted against the 4 MiB reassembly cap.
  collide   N IPv6 connections (a SYN each, then a SYN+ACK each) whose 4-tuples all
            have the same value under the connection hash of main at 7835392 (no
            secret key): every lookup walked one probe chain of all of them.
"""
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapgen  # noqa: E402

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def cut(record, caplen):
    """A pcap record (from pcapgen._frame) cut to caplen captured bytes."""
    sec, usec, _, wire = struct.unpack("<IIII", record[:16])
    return struct.pack("<IIII", sec, usec, caplen, wire) + record[16:16 + caplen]


def one_conn(n, seg, caplen0):
    cli, srv = bytes([10, 11, 0, 1]), bytes([10, 11, 0, 2])
    sport, dport = 40001, 80
    cs, ss = 1000, 7000000
    t, step = 1.0e9, 1e-5
    f = pcapgen._frame
    yield f(t, cli, srv, sport, dport, cs, 0, 0x02)
    yield f(t + step, srv, cli, dport, sport, ss, cs + 1, 0x12)
    yield f(t + 2 * step, cli, srv, sport, dport, cs + 1, ss + 1, 0x10)
    req = b"GET /reversed HTTP/1.1\r\nHost: x\r\n\r\n"
    yield f(t + 3 * step, cli, srv, sport, dport, cs + 1, ss + 1, 0x18, req)
    cs += 1 + len(req)
    ss += 1
    body = n * seg
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % body
    t += 4 * step
    # segment 0 is the head, 1..n the body; the body is sent from its end back to its
    # start, the head last: until then nothing is in order
    fill = bytes(range(256)) * (seg // 256 + 2)
    for i in range(n, -1, -1):
        if i == 0:
            data, seq = head, ss
        else:
            data, seq = fill[i % 256:i % 256 + seg], ss + len(head) + (i - 1) * seg
        rec = f(t, srv, cli, dport, sport, seq, cs, 0x18, data)
        if caplen0 and i:
            rec = cut(rec, 54)
        yield rec
        t += step
    end = ss + len(head) + body
    yield f(t, cli, srv, sport, dport, cs, end, 0x10)
    yield f(t + step, srv, cli, dport, sport, end, cs, 0x11)
    yield f(t + 2 * step, cli, srv, sport, dport, cs, end + 1, 0x11)
    yield f(t + 3 * step, srv, cli, dport, sport, end + 1, cs + 1, 0x10)


def old_mix(h, v):
    """mix() of src/flow/conntab.c at 7835392, in 64-bit arithmetic."""
    return h ^ ((v + GOLDEN + ((h << 6) & M64) + (h >> 2)) & M64)


def old_tuple_hash(proto, a, pa, b, pb):
    """tuple_hash() of src/flow/conntab.c at 7835392 (a, b: the 16 address bytes;
    the machine loads them little-endian)."""
    def half(x, port):
        lo, hi = struct.unpack("<QQ", x)
        return old_mix(old_mix(lo, hi), port)
    ha, hb = half(a, pa), half(b, pb)
    h = ((ha ^ hb) + (ha + hb) * 31 + proto) & M64
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & M64
    h ^= h >> 33
    return h


def colliding_addrs(n, rng):
    """n distinct IPv6 addresses a with the same old half-hash for one port: the first
    8 bytes are random, the last 8 solve the inner mix() for a fixed value (mix is a
    bijection in its second argument)."""
    target = 0x0123456789ABCDEF
    seen, out = set(), []
    while len(out) < n:
        lo = (rng.getrandbits(56) << 8) | 0xFD  # fd00::/8 (the first byte is the lowest)
        if lo in seen:
            continue
        seen.add(lo)
        hi = ((target ^ lo) - GOLDEN - ((lo << 6) & M64) - (lo >> 2)) & M64
        assert old_mix(lo, hi) == target
        out.append(struct.pack("<QQ", lo, hi))
    return out


def frame6(t, src, dst, sport, dport, seq, ack, flags):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack(">IHBB16s16s", 6 << 28, len(tcp), 6, 64, src, dst)
    eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x86\xdd"
    pkt = eth + ip + tcp
    sec, usec = int(t), int((t - int(t)) * 1e6)
    return struct.pack("<IIII", sec, usec, len(pkt), len(pkt)) + pkt


def collide(n, rng):
    srv = bytes.fromhex("fd000000000000000000000000000001")
    sport, dport = 40000, 80
    clients = colliding_addrs(n, rng)
    want = old_tuple_hash(6, clients[0], sport, srv, dport)
    assert all(old_tuple_hash(6, c, sport, srv, dport) == want for c in clients[:1000])
    t, step = 1.0e9, 1e-6
    for i, c in enumerate(clients):
        yield frame6(t, c, srv, sport, dport, 1000 + i, 0, 0x02)
        t += step
    for i, c in enumerate(clients):
        yield frame6(t, srv, c, dport, sport, 5000 + i, 1001 + i, 0x12)
        t += step


def main(argv):
    if len(argv) < 3 or argv[1] not in ("reversed", "caplen0", "collide"):
        sys.stderr.write(__doc__)
        return 1
    kind, n = argv[1], int(argv[2])
    seg = int(argv[argv.index("--seg") + 1]) if "--seg" in argv else (1448 if kind == "caplen0" else 16)
    rng = random.Random(11)
    out = sys.stdout.buffer
    out.write(pcapgen.PCAP_HEADER)
    gen = collide(n, rng) if kind == "collide" else one_conn(n, seg, kind == "caplen0")
    buf = []
    for rec in gen:
        buf.append(rec)
        if len(buf) >= 4096:
            out.write(b"".join(buf))
            buf = []
    out.write(b"".join(buf))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
