#!/usr/bin/env python3
# make.py: writes capture.pcap, link type IEEE802_11 (105, no radiotap, no FCS): TCP
# connections over 802.11 data frames: To DS / From DS (infrastructure), no DS bits
# (ad hoc: BSSID in address 3) and both bits (WDS: four addresses), QoS and plain data.
# The oracle is tests/oracle/made-tun-ieee80211.pcap/.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "lib"))
from tunnelgen import conversation, dot11_data, mac, pcap  # noqa: E402

AP, STA, GW, AP2 = mac(1), mac(2), mac(3), mac(4)


def wds(p, k):
    # both DS bits: RA, TA, DA, sequence, SA (802.11 Table 9-30)
    import struct
    fc = (2 << 2) | (8 << 4) | (3 << 8)
    et = 0x86DD if p[0] >> 4 == 6 else 0x0800
    return (struct.pack("<HH", fc, 0) + AP2 + AP + GW + struct.pack("<H", k << 4) + STA + struct.pack("<H", 3)
            + b"\xaa\xaa\x03\x00\x00\x00" + struct.pack("!H", et) + p)


frames = []
convs = [conversation("10.60.0.1", "10.60.0.2", 44000, 80), conversation("10.61.0.1", "10.61.0.2", 44001, 80),
         conversation("fd00:62::1", "fd00:62::2", 44002, 80)]
for k in range(8):
    d, p = convs[0][k]
    frames.append(dot11_data(p, d == 0, d == 1, AP, STA if d == 0 else GW, GW if d == 0 else STA, seq=k))
    d, p = convs[1][k]
    frames.append(dot11_data(p, False, False, AP, STA if d == 0 else GW, GW if d == 0 else STA, qos=0, seq=k))
    d, p = convs[2][k]
    frames.append(wds(p, k))
pcap(os.path.join(os.path.dirname(os.path.abspath(__file__)), "capture.pcap"), frames, linktype=105)
