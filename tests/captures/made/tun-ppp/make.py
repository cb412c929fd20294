#!/usr/bin/env python3
# make.py: writes capture.pcap, link type PPP (9): TCP over PPP, with HDLC-like
# address and control bytes (ff 03) on one connection and without on the other; one
# IPv6 connection; LCP and IPCP frames between them (not TCP), and one IPv4 packet
# with a compressed (1-byte) protocol field. The oracle is tests/oracle/made-tun-ppp.pcap/.
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "lib"))
from tunnelgen import conversation, pcap  # noqa: E402

frames = [b"\xff\x03\xc0\x21\x01\x01\x00\x04", b"\xff\x03\x80\x21\x01\x01\x00\x04"]  # LCP, IPCP requests
convs = [conversation("10.70.0.1", "10.70.0.2", 45000, 80), conversation("fd00:70::1", "fd00:70::2", 45001, 80)]
for k in range(8):
    for j, conv in enumerate(convs):
        d, p = conv[k]
        proto = 0x0057 if p[0] >> 4 == 6 else 0x0021
        if j == 0 and k == 3:
            frames.append(b"\x21" + p)                      # protocol field compressed
        elif j == 0:
            frames.append(b"\xff\x03" + struct.pack("!H", proto) + p)
        else:
            frames.append(struct.pack("!H", proto) + p)
pcap(os.path.join(os.path.dirname(os.path.abspath(__file__)), "capture.pcap"), frames, linktype=9)
