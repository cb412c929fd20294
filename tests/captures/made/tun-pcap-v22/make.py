#!/usr/bin/env python3
# make.py: writes capture.pcap, a pcap file of version 2.2 (the format before libpcap
# fixed the order of the record lengths): each record header holds the original length
# where the captured length belongs and the other way round. The snap length is 96, so
# the data segments are cut and the two lengths differ; readers must swap them back as
# libpcap and Wireshark do (chattcp used to reject record 1). Two small TCP
# connections, Ethernet. The oracle is tests/oracle/made-tun-pcap-v22.pcap/.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "lib"))
from tunnelgen import conversation, eth, ethertype_of, pcap  # noqa: E402

big = b"HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n" + b"x" * 400
frames = []
for i, (c, s) in enumerate((("10.40.0.1", "10.40.0.2"), ("fd00:40::1", "fd00:40::2"))):
    frames += [eth(p, ethertype_of(p)) for _, p in conversation(c, s, 42000 + i, 80, response=big)]
pcap(os.path.join(os.path.dirname(os.path.abspath(__file__)), "capture.pcap"), frames, version=(2, 2), snaplen=96,
     swapped_lengths=True)
