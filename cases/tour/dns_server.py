#!/usr/bin/env python3
"""A very small authoritative DNS server for the zone cases.test (UDP only), written for this case.
Answers A queries for www.cases.test with 10.77.0.2, NXDOMAIN for other names in the zone.
Usage: dns_server.py ADDR PORT"""
import socket, struct, sys

RECORDS = {"www.cases.test": "10.77.0.2"}

def parse_name(msg, off):
    labels = []
    while msg[off]:
        n = msg[off]
        labels.append(msg[off + 1:off + 1 + n].decode("ascii"))
        off += 1 + n
    return ".".join(labels).lower(), off + 1

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
while True:
    q, peer = s.recvfrom(4096)
    qid, flags, qd = struct.unpack("!HHH", q[:6])
    name, end = parse_name(q, 12)
    qtype, qclass = struct.unpack("!HH", q[end:end + 4])
    question = q[12:end + 4]
    rd = flags & 0x0100
    if name in RECORDS and qtype == 1:
        rcode, answers = 0, [struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4) + socket.inet_aton(RECORDS[name])]
    elif name in RECORDS:
        rcode, answers = 0, []                      # name exists, no record of that type
    else:
        rcode, answers = 3, []                      # NXDOMAIN
    hdr = struct.pack("!HHHHHH", qid, 0x8000 | 0x0400 | rd | rcode, 1, len(answers), 0, 0)  # QR AA
    s.sendto(hdr + question + b"".join(answers), peer)
