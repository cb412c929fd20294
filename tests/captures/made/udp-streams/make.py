#!/usr/bin/env python3
# make.py: writes capture.pcap (no root, no network): UDP conversations in the shapes
# where "number UDP conversations by the first packet of each 5-tuple" might differ from
# Wireshark's udp.stream: ICMP errors quoting a UDP header (of a conversation seen before,
# and of one never seen), IPv4 fragments arriving last-first, a datagram whose last
# fragment never comes, the same 5-tuple again two hours later, a server that speaks
# first, UDP inside IP-in-IP and inside VXLAN, ICMPv6 quoting IPv6 UDP, and a UDP header
# cut by the snap length. Plain conversations between them show where the numbering goes.
# The oracle made from it is tests/oracle/made-udp-streams.pcap/udp_streams.tsv.
import struct
import sys

frames = []          # (seconds, bytes on the wire, bytes captured or None)
now = [1700000000.0]


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def a4(s):
    return bytes(map(int, s.split('.')))


def a6(s):
    head, _, tail = s.partition('::')
    h = [int(x, 16) for x in head.split(':') if x]
    t = [int(x, 16) for x in tail.split(':') if x]
    return struct.pack('!8H', *(h + [0] * (8 - len(h) - len(t)) + t))


def eth(payload, ethertype=0x0800):
    return b'\x02\x00\x00\x00\x00\x02' + b'\x02\x00\x00\x00\x00\x01' + struct.pack('!H', ethertype) + payload


def ipv4(src, dst, proto, payload, ident=0, frag=0):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0, a4(src), a4(dst))
    return h[:10] + struct.pack('!H', csum(h)) + h[12:] + payload


def udp4(src, sport, dst, dport, data):
    u = struct.pack('!HHHH', sport, dport, 8 + len(data), 0) + data
    c = csum(a4(src) + a4(dst) + struct.pack('!BBH', 0, 17, len(u)) + u) or 0xffff
    return u[:6] + struct.pack('!H', c) + u[8:]


def udp6(src, sport, dst, dport, data):
    u = struct.pack('!HHHH', sport, dport, 8 + len(data), 0) + data
    c = csum(a6(src) + a6(dst) + struct.pack('!IxxxB', len(u), 17) + u) or 0xffff
    return u[:6] + struct.pack('!H', c) + u[8:]


def ipv6(src, dst, nh, payload):
    return struct.pack('!IHBB16s16s', 6 << 28, len(payload), nh, 64, a6(src), a6(dst)) + payload


def add(frame, gap=0.01, caplen=None):
    now[0] += gap
    frames.append((now[0], frame, caplen))


def udp_pkt(src, sport, dst, dport, data=b'ping', **kw):
    add(eth(ipv4(src, dst, 17, udp4(src, sport, dst, dport, data))), **kw)


def icmp_unreach(frm, quoted_ip):
    """ICMP destination unreachable / port unreachable from frm, quoting the IP header
    and the first 8 bytes after it (RFC 792), sent back to the quoted packet's source."""
    body = struct.pack('!BBHI', 3, 3, 0, 0) + quoted_ip[:28]
    body = body[:2] + struct.pack('!H', csum(body)) + body[4:]
    to = '.'.join(str(b) for b in quoted_ip[12:16])
    add(eth(ipv4(frm, to, 1, body)))


A, B = '10.1.0.1', '10.1.0.2'
# 1. a plain exchange, client first
udp_pkt(A, 40000, B, 53, b'query one')
udp_pkt(B, 53, A, 40000, b'answer one')
# 2. a datagram to a closed port, and the ICMP error quoting it
udp_pkt(A, 40001, B, 33434, b'probe')
icmp_unreach(B, ipv4(A, B, 17, udp4(A, 40001, B, 33434, b'probe')))
# 3. an ICMP error quoting a datagram that is not in the capture (its own 5-tuple)
icmp_unreach(B, ipv4(A, B, 17, udp4(A, 40002, B, 33435, b'unseen')))
# 4. a plain conversation: its number shows whether 3 took one
udp_pkt(A, 40003, B, 7000, b'after the quotes')
# 5. the server speaks first (NTP-like, both ports 123 on different hosts)
udp_pkt(B, 123, A, 123, b'server first')
udp_pkt(A, 123, B, 123, b'client reply')
# 6. a 3000-byte datagram in three IPv4 fragments that arrive last-first
C, D = '10.2.0.1', '10.2.0.2'
whole = udp4(C, 5000, D, 6000, bytes(i & 255 for i in range(3000 - 8)))
pieces = [(0, whole[0:1480], 0x2000), (1480, whole[1480:2960], 0x2000), (2960, whole[2960:], 0)]
for off, chunk, mf in reversed(pieces):
    add(eth(ipv4(C, D, 17, chunk, ident=0x1234, frag=mf | (off // 8))))
udp_pkt(D, 6000, C, 5000, b'got it')
# 7. the first fragment (with the UDP header) of a datagram whose second never comes
E, F = '10.3.0.1', '10.3.0.2'
lost = udp4(E, 5001, F, 6001, bytes(2000))
add(eth(ipv4(E, F, 17, lost[:1480], ident=0x4321, frag=0x2000)))
# 8. a plain conversation after it
udp_pkt('10.4.0.1', 1111, '10.4.0.2', 2222, b'after the lost fragment')
# 9. the 5-tuple of 1 again, two hours later
udp_pkt(A, 40000, B, 53, b'query two, much later', gap=7200)
udp_pkt(B, 53, A, 40000, b'answer two')
# 10. UDP inside IP-in-IP (IPv4 protocol 4)
inner = ipv4('10.5.0.1', '10.5.0.2', 17, udp4('10.5.0.1', 3001, '10.5.0.2', 4001, b'tunnelled'))
add(eth(ipv4('192.0.2.1', '192.0.2.2', 4, inner)))
# 11. UDP inside VXLAN (UDP port 4789, an Ethernet frame inside): two UDP headers
vx_inner = eth(ipv4('10.6.0.1', '10.6.0.2', 17, udp4('10.6.0.1', 3002, '10.6.0.2', 4002, b'overlay')))
vxlan = struct.pack('!II', 0x08000000, 42 << 8) + vx_inner
add(eth(ipv4('192.0.2.1', '192.0.2.2', 17, udp4('192.0.2.1', 50000, '192.0.2.2', 4789, vxlan))))
# 12. a plain conversation after the tunnels
udp_pkt('10.7.0.1', 1112, '10.7.0.2', 2223, b'after the tunnels')
# 13. ICMPv6 port unreachable quoting an IPv6 datagram that is not in the capture
S6, D6 = 'fd00:8::1', 'fd00:8::2'
q6 = ipv6(S6, D6, 17, udp6(S6, 40010, D6, 33436, b'unseen v6'))
icmp6 = struct.pack('!BBHI', 1, 4, 0, 0) + q6
c6 = csum(a6(D6) + a6(S6) + struct.pack('!IxxxB', len(icmp6), 58) + icmp6)
icmp6 = icmp6[:2] + struct.pack('!H', c6) + icmp6[4:]
add(eth(ipv6(D6, S6, 58, icmp6), 0x86dd))
# 14. an IPv6 conversation after it
udp_pkt6 = lambda s, sp, d, dp, data: add(eth(ipv6(s, d, 17, udp6(s, sp, d, dp, data)), 0x86dd))
udp_pkt6(S6, 40011, D6, 7001, b'v6 after the quote')
udp_pkt6(D6, 7001, S6, 40011, b'v6 reply')
# 15. a UDP header cut by the snap length after 4 of its 8 bytes
cut = eth(ipv4('10.8.0.1', '10.8.0.2', 17, udp4('10.8.0.1', 1113, '10.8.0.2', 2224, b'cut short')))
add(cut, caplen=14 + 20 + 4)
# 16. a plain conversation at the end
udp_pkt('10.9.0.1', 1114, '10.9.0.2', 2225, b'the last one')

with open(sys.argv[1] if len(sys.argv) > 1 else "capture.pcap", "wb") as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for t, fr, caplen in frames:
        data = fr[:caplen] if caplen is not None else fr
        f.write(struct.pack('<IIII', int(t), int(round((t - int(t)) * 1e6)), len(data), len(fr)) + data)
