#!/usr/bin/env python3
"""gen_redis.py: Redis (RESP2/RESP3) conversations as pcap files, from a fixed seed.

Two kinds of capture, both one TCP connection 10.9.0.1:40000 -> 10.9.0.2:6379
(Ethernet/IPv4, checksums 0, built with tests/lib/pcapgen.py's frame writer):

  gen_redis.py elems N OUT [--per-seg K | --bytes-per-seg B] [--seed S] [--value-len L]
      The client asks LRANGE big 0 -1; the server answers with an N-element array
      (bulk strings of 1-12 bytes and integers drawn from the seed; with L, bulk
      strings of L digits only), K elements per segment (default 1) or B bytes per
      segment. The time the decoder spends must grow
      linearly with N (issue 11: a 1M-element array used to take over a minute).

  gen_redis.py shape NAME OUT [--bytes-per-seg B]
      One of the named RESP shapes below (both directions), each direction's bytes in
      one segment, or in segments of B bytes (1: every byte its own segment). The
      decoded messages must not depend on where TCP cut the stream.

  gen_redis.py shapes
      The shape names, one a line.

Segments are ACKed every ACK_EVERY segments, as a receiver with delayed ACKs would."""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import PCAP_HEADER, _frame  # noqa: E402

CLI, SRV = bytes([10, 9, 0, 1]), bytes([10, 9, 0, 2])
SPORT, DPORT = 40000, 6379
ACK_EVERY = 32


def bulk(s):
    return b"$%d\r\n%s\r\n" % (len(s), s)


def command(*args):
    return b"*%d\r\n" % len(args) + b"".join(bulk(a) for a in args)


# Each shape: [(dir, bytes)], dir 0 client -> server, 1 server -> client, in the order
# sent (a reply follows its command). They cover every type byte the decoder reads.
SHAPES = {
    "simple": [(0, command(b"PING")), (1, b"+PONG\r\n"),
               (0, command(b"SET", b"k", b"v")), (1, b"+OK\r\n"),
               (0, command(b"INCR", b"n")), (1, b":-42\r\n"),
               (0, command(b"GET", b"nothing")), (1, b"$-1\r\n")],
    "errors": [(0, command(b"FOO")), (1, b"-ERR unknown command 'FOO'\r\n"),
               (0, command(b"HELLO", b"3")), (1, b"!21\r\nSYNTAX invalid syntax\r\n"),
               (0, command(b"GET", b"k")), (1, b"-WRONGTYPE Operation against a key\r\n")],
    "nested": [(0, command(b"EXEC")),
               (1, b"*3\r\n*2\r\n$1\r\na\r\n:1\r\n*0\r\n*2\r\n*1\r\n*1\r\n+deep\r\n*-1\r\n"),
               (0, command(b"XREAD", b"STREAMS", b"s", b"0")),
               (1, b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n")],
    "resp3": [(0, command(b"HELLO", b"3")),
              (1, b"%2\r\n+server\r\n+redis\r\n+proto\r\n:3\r\n"),
              (0, command(b"SMEMBERS", b"s")), (1, b"~3\r\n+a\r\n+b\r\n+c\r\n"),
              (0, command(b"GET", b"v")), (1, b"=15\r\ntxt:Some string\r\n"),
              (0, command(b"X", b"1")), (1, b"#t\r\n"),
              (0, command(b"X", b"2")), (1, b"#f\r\n"),
              (0, command(b"X", b"3")), (1, b"_\r\n"),
              (0, command(b"X", b"4")), (1, b",3.14159\r\n"),
              (0, command(b"X", b"5")), (1, b"(3492890328409238509324850943850943825024385\r\n"),
              (0, command(b"CLIENT", b"TRACKING")),
              (1, b"|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n"),
              (1, b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n"),
              (0, command(b"X", b"6")), (1, b"%-1\r\n"), (0, command(b"X", b"7")), (1, b"|0\r\n+plain\r\n")],
    "inline": [(0, b"PING\r\n"), (1, b"+PONG\r\n"),
               (0, b"SET k \"a b\"\n"), (1, b"+OK\r\n"),
               (0, b"\r\n"), (0, b"GET k\r\n"), (1, b"$3\r\na b\r\n")],
    "binary": [(0, command(b"SET", b"bin", bytes(range(256)))), (1, b"+OK\r\n"),
               (0, command(b"GET", b"long")), (1, bulk(b"x\r\n\"q\"" * 200)),
               (0, command(b"GET", b"cr")), (1, b"+a\rb\r\r\n")],
    "pipelined": [(0, command(b"PING") * 3 + command(b"MGET", b"a", b"b")),
                  (1, b"+PONG\r\n" * 3 + b"*2\r\n$1\r\n1\r\n$-1\r\n")],
    "bad-type": [(0, command(b"GET", b"k")), (1, b"+OK\r\n?what\r\n+after\r\n")],
    "bad-bulk-crlf": [(0, command(b"GET", b"k")), (1, b"$2\r\nabcd\r\n+after\r\n")],
    "too-deep": [(0, command(b"GET", b"k")), (1, b"*1\r\n" * 40 + b":1\r\n")],
    "huge-count": [(0, command(b"GET", b"k")), (1, b"*2147483647\r\n:1\r\n")],
    "cut-short": [(0, command(b"GET", b"k")), (1, b"*3\r\n:1\r\n$10\r\nabc")],
}


class Conn:
    """Writes one TCP connection: handshake, data segments of either side, FIN."""

    def __init__(self, out):
        self.out = out
        self.t = 1.0e9
        self.seq = [1000, 5000000]
        self.unacked = 0
        out.write(PCAP_HEADER)
        self._send(0, 0x02, b"", syn=True)
        self._send(1, 0x12, b"", syn=True)
        self._send(0, 0x10, b"")

    def _send(self, d, flags, payload, syn=False):
        self.t += 1e-5
        src, dst = (CLI, SRV) if d == 0 else (SRV, CLI)
        sp, dp = (SPORT, DPORT) if d == 0 else (DPORT, SPORT)
        ack = self.seq[1 - d] if flags & 0x10 else 0
        self.out.write(_frame(self.t, src, dst, sp, dp, self.seq[d], ack, flags, payload))
        self.seq[d] += len(payload) + (1 if syn or flags & 0x01 else 0)

    def data(self, d, payload):
        self._send(d, 0x18, payload)
        self.unacked += 1
        if self.unacked >= ACK_EVERY:
            self._send(1 - d, 0x10, b"")
            self.unacked = 0

    def close(self):
        self._send(1, 0x11, b"")
        self._send(0, 0x11, b"")
        self._send(1, 0x10, b"")


def segments(data, size):
    if not size:
        yield data
        return
    for i in range(0, len(data), size):
        yield data[i:i + size]


def elements(n, seed, value_len=0):
    rnd = random.Random(seed)
    for _ in range(n):
        if value_len:
            yield bulk(b"%0*d" % (value_len, rnd.randrange(10**value_len)))
        elif rnd.random() < 0.2:
            yield b":%d\r\n" % rnd.randrange(-10**9, 10**9)
        else:
            yield bulk(bytes(rnd.choice(b"abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rnd.randrange(1, 13))))


def gen_elems(out, n, per_seg, bytes_per_seg, seed, value_len):
    c = Conn(out)
    c.data(0, command(b"LRANGE", b"big", b"0", b"-1"))
    head = b"*%d\r\n" % n
    if bytes_per_seg:
        # Joining a million small strings first is cheap next to writing the frames.
        for s in segments(head + b"".join(elements(n, seed, value_len)), bytes_per_seg):
            c.data(1, s)
    else:
        c.data(1, head)
        batch = []
        for e in elements(n, seed, value_len):
            batch.append(e)
            if len(batch) == per_seg:
                c.data(1, b"".join(batch))
                batch = []
        if batch:
            c.data(1, b"".join(batch))
    c.close()


def gen_shape(out, name, bytes_per_seg):
    c = Conn(out)
    for d, data in SHAPES[name]:
        for s in segments(data, bytes_per_seg):
            c.data(d, s)
    c.close()


def main(argv):
    def opt(name, default):
        if name in argv:
            i = argv.index(name)
            v = int(argv[i + 1])
            del argv[i:i + 2]
            return v
        return default

    per_seg = opt("--per-seg", 1)
    bytes_per_seg = opt("--bytes-per-seg", 0)
    seed = opt("--seed", 11)
    value_len = opt("--value-len", 0)
    if argv[:1] == ["shapes"]:
        print("\n".join(SHAPES))
        return 0
    if len(argv) != 3 or argv[0] not in ("elems", "shape"):
        sys.stderr.write(__doc__)
        return 1
    with open(argv[2], "wb") as f:
        if argv[0] == "elems":
            gen_elems(f, int(argv[1]), per_seg, bytes_per_seg, seed, value_len)
        else:
            gen_shape(f, argv[1], bytes_per_seg)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
