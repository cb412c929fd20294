"""appgen.py: hostile application-layer captures for tests (tests/suite/app-limits).

Builds on pcapgen.py (its Ethernet/IPv4/TCP frames, checksums 0): whole TCP
conversations from a list of (direction, bytes), and compressed bodies that inflate
far past their size without compressing anything (a deflate block written by hand:
the bulk of a 1 GiB bomb is a run of zero bytes, so making one takes milliseconds).
Everything is deterministic; the few random choices take a seed."""
import random
import struct
import zlib

import pcapgen

CLI = bytes([10, 11, 0, 1])
SRV = bytes([10, 11, 0, 2])


class Pcap:
    """A pcap file being written (LINKTYPE_ETHERNET, microseconds)."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(pcapgen.PCAP_HEADER)
        self.t = 1.0e9

    def frame(self, src, dst, sport, dport, seq, ack, flags, payload=b""):
        self.t += 1e-5
        self.f.write(pcapgen._frame(self.t, src, dst, sport, dport, seq, ack, flags, payload))

    def conv(self, items, sport=40000, dport=80, mss=1448, handshake=True, close=True, cli=CLI, srv=SRV, lost=()):
        """One TCP connection: a handshake, then items [(dir, bytes)] (dir 0 client
        to server) in segments of at most mss bytes, then a FIN each way. No pure
        ACKs (chattcp does not need them), so captures stay small. The items whose
        index is in lost are sent but not captured (their sequence space is used)."""
        seq = [1000, 5000000]
        ends = [(cli, srv, sport, dport), (srv, cli, dport, sport)]
        if handshake:
            self.frame(cli, srv, sport, dport, seq[0], 0, 0x02)
            self.frame(srv, cli, dport, sport, seq[1], seq[0] + 1, 0x12)
            seq = [seq[0] + 1, seq[1] + 1]
        for k, (d, data) in enumerate(items):
            s, t, sp, dp = ends[d]
            for i in range(0, len(data), mss):
                part = data[i:i + mss]
                if k not in lost:
                    self.frame(s, t, sp, dp, seq[d], seq[1 - d], 0x18, part)
                seq[d] += len(part)
        if close:
            for d in (1, 0):
                s, t, sp, dp = ends[d]
                self.frame(s, t, sp, dp, seq[d], seq[1 - d], 0x11)
                seq[d] += 1

    def close(self):
        self.f.close()


class _Bits:
    """Deflate's bit order (RFC 1951 §3.1.1): values LSB first, Huffman codes MSB first."""

    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, v, nbits):
        self.acc |= v << self.n
        self.n += nbits
        while self.n >= 8:
            self.out.append(self.acc & 0xFF)
            self.acc >>= 8
            self.n -= 8

    def code(self, c, length):
        rev = 0
        for _ in range(length):
            rev = (rev << 1) | (c & 1)
            c >>= 1
        self.put(rev, length)

    def flush(self):
        if self.n:
            self.out.append(self.acc & 0xFF)
        self.acc = self.n = 0
        return bytes(self.out)


def _canonical(lengths):
    """Canonical Huffman codes (RFC 1951 §3.2.2) of {symbol: length}."""
    codes, code, prev = {}, 0, 0
    for sym, ln in sorted(lengths.items(), key=lambda kv: (kv[1], kv[0])):
        code <<= ln - prev
        prev = ln
        codes[sym] = (code, ln)
        code += 1
    return codes


def _complete_lengths(k, extra):
    """Lengths for k symbols forming a complete prefix code, each `extra` bits deeper."""
    d = 0
    while (1 << d) < k:
        d += 1
    shallow = (1 << d) - k  # leaves one level up
    return [d - 1 + extra] * shallow + [d + extra] * (k - shallow)


def deflate_bomb(pattern, out_len):
    """Raw deflate data that inflates to pattern (1 to 4 bytes) repeated, about out_len
    bytes in all: one dynamic block whose length code 258 and distance len(pattern) are
    1 bit each, so every further 258 bytes of output cost 2 bits of input (a run of
    zero bytes)."""
    assert 1 <= len(pattern) <= 4
    syms = sorted(set(pattern)) + [256]
    lit = {285: 1}
    for s, ln in zip(syms, _complete_lengths(len(syms), 1)):
        lit[s] = ln
    dist_code = len(pattern) - 1
    clen_syms = {}
    # the code-length sequence for 286 literal/length codes then 2 distance codes
    seq = []

    def zeros(k):
        while k >= 11:
            r = min(k, 138)
            seq.append((18, r - 11, 7))
            k -= r
        if k >= 3:
            seq.append((17, k - 3, 3))
            k = 0
        seq.extend([(0, 0, 0)] * k)

    run = 0
    for sym in range(286):
        if sym in lit:
            zeros(run)
            run = 0
            seq.append((lit[sym], 0, 0))
        else:
            run += 1
    zeros(run)
    # distance codes 0..dist_code: only dist_code (distance len(pattern)) is used, 1 bit
    seq.extend([(0, 0, 0)] * dist_code)
    seq.append((1, 0, 0))
    for s, _, _ in seq:
        clen_syms[s] = 1
    # a complete code over the code-length symbols used
    used = sorted(clen_syms)
    lens = dict(zip(used, _complete_lengths(len(used), 0)))
    cl_codes = _canonical(lens)
    order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
    hclen = max(i for i, s in enumerate(order) if s in lens) + 1
    w = _Bits()
    w.put(1, 1)  # BFINAL
    w.put(2, 2)  # dynamic Huffman
    w.put(286 - 257, 5)
    w.put(dist_code, 5)
    w.put(hclen - 4, 4)
    for s in order[:hclen]:
        w.put(lens.get(s, 0), 3)
    for s, extra, nb in seq:
        c, ln = cl_codes[s]
        w.code(c, ln)
        if nb:
            w.put(extra, nb)
    lc = _canonical(lit)
    for c in pattern:
        w.code(*lc[c])
    pairs = max(0, (out_len - len(pattern)) // 258)
    # each (length 258, distance 2) pair is 2 zero bits: emit them bit by bit until
    # the writer is byte aligned, then as whole zero bytes (4 pairs each)
    done = 0
    while w.n % 8 and done < pairs:
        w.code(*lc[285])
        w.put(0, 1)
        done += 1
    bulk = (pairs - done) // 4
    w.out += bytes(bulk)
    done += bulk * 4
    while done < pairs:
        w.code(*lc[285])
        w.put(0, 1)
        done += 1
    w.code(*lc[256])
    return w.flush(), len(pattern) + 258 * pairs


def gzip_wrap(raw, crc=0, isize=0):
    """A gzip member (RFC 1952) around raw deflate data."""
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + raw + struct.pack("<II", crc & 0xFFFFFFFF, isize & 0xFFFFFFFF)


def gzip(data, level=9):
    c = zlib.compressobj(level, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


def http_response(body, headers=(), status="200 OK"):
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    if not any(k.lower() in ("content-length", "transfer-encoding") for k, _ in headers):
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def rng(seed):
    return random.Random(seed)
