#!/usr/bin/env python3
"""make-bench.py DIR: the two captures of tests/ui/bench.sh, made with tests/lib/pcapgen.py:
long-chat.pcap, one HTTP download of 5,000 full segments each ACKed (10,007 packets), and
many-conns.pcap, 71,000 connections of one SYN each (the connection count of the large
benchmark capture of issue 13). Deterministic: no randomness."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import pcapgen  # noqa: E402

out = sys.argv[1]
with open(os.path.join(out, "long-chat.pcap"), "wb") as f:
    f.write(pcapgen.PCAP_HEADER)
    for r in pcapgen.flow(5000 * 1448, b"HTTP/1.1 200 OK\r\nContent-Length: 7240000\r\n\r\n"):
        f.write(r)
with open(os.path.join(out, "many-conns.pcap"), "wb") as f:
    f.write(pcapgen.PCAP_HEADER)
    for i in range(71000):
        src = bytes([10, 1 + (i >> 16), (i >> 8) & 255, i & 255])
        f.write(pcapgen._frame(1e9 + i * 1e-4, src, bytes([10, 200, 0, 1]), 30000 + i % 30000, 80, i * 7, 0, 0x02))
