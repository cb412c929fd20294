#!/usr/bin/env python3
# make.py: writes capture.pcap, link type IEEE802_11_RADIOTAP (127): two TCP
# connections over Wi-Fi data frames behind radiotap headers. The client sends To DS
# frames, the access point answers From DS; one connection uses QoS data frames. The
# radiotap headers vary: TSFT (8 bytes, aligned to 8) then Flags, Flags alone, Flags
# with 0x10 (the frame ends with its 4-byte FCS, which is not payload), no Flags at
# all. A beacon (management) and a null data frame sit between them (not TCP). The
# oracle is tests/oracle/made-tun-radiotap.pcap/.
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "lib"))
from tunnelgen import conversation, dot11_data, mac, pcap, radiotap  # noqa: E402

AP, STA, GW = mac(1), mac(2), mac(3)
styles = [dict(tsft=123456789, flags=0x00), dict(flags=0x10), dict(rate=12), dict(tsft=5, flags=0x10, rate=2)]
frames = []
beacon = struct.pack("<HH", 0x0080, 0) + b"\xff" * 6 + AP + AP + b"\0\0" + b"\0" * 12 + b"\x00\x04test"
null = struct.pack("<HH", 0x0148, 0) + AP + STA + AP + b"\0\0"
convs = [conversation("10.50.0.1", "10.50.0.2", 43000, 80), conversation("fd00:50::1", "fd00:50::2", 43001, 443)]
for k in range(8):
    for j, conv in enumerate(convs):
        d, p = conv[k]
        qos = 5 if j == 1 else None
        f = dot11_data(p, d == 0, d == 1, AP, STA if d == 0 else GW, GW if d == 0 else STA, qos=qos, seq=k)
        frames.append(radiotap(f, **styles[(k + j) % len(styles)]))
    if k == 2:
        frames.append(radiotap(beacon, flags=0))
        frames.append(radiotap(null, flags=0))
pcap(os.path.join(os.path.dirname(os.path.abspath(__file__)), "capture.pcap"), frames, linktype=127)
