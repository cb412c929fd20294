#!/usr/bin/env python3
# make.py: writes capture.pcap, link type PPP_HDLC (50): a TCP connection over PPP in
# HDLC-like framing (ff 03, protocol) and one over Cisco HDLC (address 0x0f unicast /
# 0x8f broadcast, control 0, an ethertype), plus a Cisco SLARP keepalive (ethertype
# 0x8035, not TCP). The oracle is tests/oracle/made-tun-ppp-hdlc.pcap/.
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "lib"))
from tunnelgen import conversation, pcap  # noqa: E402

frames = [b"\x8f\x00\x80\x35" + b"\x00\x00\x00\x02" + b"\x00" * 14]
convs = [conversation("10.80.0.1", "10.80.0.2", 46000, 80), conversation("fd00:80::1", "fd00:80::2", 46001, 80)]
for k in range(8):
    d, p = convs[0][k]
    frames.append(b"\xff\x03\x00\x21" + p)
    d, p = convs[1][k]
    frames.append(b"\x0f\x00\x86\xdd" + p)
pcap(os.path.join(os.path.dirname(os.path.abspath(__file__)), "capture.pcap"), frames, linktype=50)
