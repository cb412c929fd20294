#!/usr/bin/env python3
# make.py: writes capture.pcap (Ethernet, no root, no network): one small TCP
# connection (handshake, an HTTP request and response, FIN exchange) inside each
# tunnel real captures carry, so that every inner connection must get tshark's
# tcp.stream: VXLAN, Geneve (with options), GRE (checksum, key, sequence), GRE
# transparent Ethernet with an inner VLAN tag, ERSPAN types II and III, MPLS (two
# labels), PPPoE (IPv4 and IPv6),
# IP in IP, IPv6 in IPv4, IPv4 in IPv6, IPv6 in IPv6, GTP-U (sequence number and an
# extension header), a nest (MPLS, IPv4, GRE, IPv4, UDP, VXLAN), UDP inside VXLAN, and
# one connection whose packets take two different tunnels (outer addresses must not
# split it). The connections are interleaved by one packet each, so ids depend on the
# order of first packets. Last, tunnels that carry neither TCP nor UDP (ARP, ICMP,
# ICMPv6, GTP-U signalling). The oracle is tests/oracle/made-tun-ethernet.pcap/.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "lib"))
from tunnelgen import *  # noqa: E402,F401,F403

V1, V2 = "192.0.2.1", "192.0.2.2"          # IPv4 underlay
W1, W2 = "2001:db8::1", "2001:db8::2"      # IPv6 underlay


def over_vxlan(d, p):
    inner = eth(p, ethertype_of(p), *((SRV_MAC, CLI_MAC) if d == 0 else (CLI_MAC, SRV_MAC)))
    s, t = (V1, V2) if d == 0 else (V2, V1)
    return eth(ip(s, t, 17, udp(49152 + 7, 4789, vxlan(42, inner))))


def over_geneve(d, p):
    s, t = (W1, W2) if d == 0 else (W2, W1)
    opt = bytes.fromhex("0102 0301 0000 0007")  # one option: class 0x0102, type 3, 4 bytes
    return eth(ip(s, t, 17, udp(50001, 6081, geneve(77, 0x6558, eth(p, ethertype_of(p)), opt))), 0x86DD)


def over_gre(d, p):
    s, t = (V1, V2) if d == 0 else (V2, V1)
    return eth(ip(s, t, 47, gre(ethertype_of(p), p, key=0x1234, seq=d * 100, checksum=True)))


def over_gretap(d, p):
    s, t = (V1, V2) if d == 0 else (V2, V1)
    return eth(ip(s, t, 47, gre(0x6558, eth(p, ethertype_of(p), vlan=300), key=7)))


def over_erspan2(d, p):
    return eth(ip("198.51.100.1", "198.51.100.9", 47, gre(0x88BE, erspan2(5, 17, eth(p, ethertype_of(p))), seq=d)))


def over_erspan3(d, p):
    return eth(ip("198.51.100.1", "198.51.100.9", 47,
                  gre(0x22EB, erspan3(6, 123456, 9, eth(p, ethertype_of(p)), platform=b"\x00" * 8), seq=d)))


def over_mpls(d, p):
    return eth(mpls([1000, 2000 + d], p), 0x8847)


def over_pppoe(d, p):
    return eth(pppoe(0x0011, 0x0057 if p[0] >> 4 == 6 else 0x0021, p), 0x8864)


def over_ipip(outer_v6):
    def f(d, p):
        s, t = ((W1, W2) if d == 0 else (W2, W1)) if outer_v6 else ((V1, V2) if d == 0 else (V2, V1))
        return eth(ip(s, t, 41 if p[0] >> 4 == 6 else 4, p), 0x86DD if outer_v6 else 0x0800)
    return f


def over_gtpu(d, p):
    s, t = ("10.200.0.1", "10.200.0.2") if d == 0 else ("10.200.0.2", "10.200.0.1")
    return eth(ip(s, t, 17, udp(2152, 2152, gtpu(0x0A0B0C0D + d, p, seq=3, ext=[(0x85, b"\x00\x09")]))))


def over_nest(d, p):
    s, t = (V1, V2) if d == 0 else (V2, V1)
    vx = ip("10.1.1.1", "10.1.1.2", 17, udp(40000, 4789, vxlan(9, eth(p, ethertype_of(p)))))
    return eth(mpls([777], ip(s, t, 47, gre(0x0800, vx))), 0x8847)


def over_roaming(d, p):
    # the same inner connection: client packets over VXLAN, server packets over GRE
    return over_vxlan(d, p) if d == 0 else over_gre(d, p)


tunnels = [
    (over_vxlan, "10.10.0.1", "10.10.0.2"),
    (over_geneve, "fd00:10::1", "fd00:10::2"),
    (over_gre, "10.11.0.1", "10.11.0.2"),
    (over_gretap, "10.12.0.1", "10.12.0.2"),
    (over_erspan2, "10.13.0.1", "10.13.0.2"),
    (over_erspan3, "10.14.0.1", "10.14.0.2"),
    (over_mpls, "10.15.0.1", "10.15.0.2"),
    (over_pppoe, "10.17.0.1", "10.17.0.2"),
    (over_pppoe, "fd00:17::1", "fd00:17::2"),
    (over_ipip(False), "10.18.0.1", "10.18.0.2"),
    (over_ipip(False), "fd00:19::1", "fd00:19::2"),
    (over_ipip(True), "10.20.0.1", "10.20.0.2"),
    (over_ipip(True), "fd00:21::1", "fd00:21::2"),
    (over_gtpu, "10.22.0.1", "10.22.0.2"),
    (over_nest, "10.23.0.1", "10.23.0.2"),
    (over_roaming, "10.24.0.1", "10.24.0.2"),
]
convs = []
for i, (wrap, c, s) in enumerate(tunnels):
    convs.append([wrap(d, p) for d, p in conversation(c, s, 41000 + i, 80)])
# (An Ethernet pseudowire over MPLS is not here: Wireshark decides whether a control
# word comes first by looking the MAC addresses up in its vendor table, which chattcp
# does not have; tests/unit/test_decode.c has that case.)
frames = []
for k in range(max(len(c) for c in convs)):
    for c in convs:
        if k < len(c):
            frames.append(c[k])
# UDP inside VXLAN, a query and its answer: the tunnel's UDP takes a number, the inner
# UDP the next one.
q = ip("10.30.0.1", "10.30.0.2", 17, udp(5353, 53, b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x01"))
a = ip("10.30.0.2", "10.30.0.1", 17, udp(53, 5353, b"\x12\x34\x81\x80\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x01"))
frames.append(eth(ip("192.0.2.7", "192.0.2.8", 17, udp(33333, 4789, vxlan(5, eth(q))))))
frames.append(eth(ip("192.0.2.8", "192.0.2.7", 17, udp(33333, 4789, vxlan(5, eth(a, dst=CLI_MAC, src=SRV_MAC))))))
# Tunnels whose content is not TCP or UDP. Over a UDP tunnel the frame is the
# tunnel's datagram (Wireshark gives it the tunnel's udp.stream): ARP over the VXLAN
# 5-tuple above, then over a new one; an ICMP port unreachable inside VXLAN that quotes
# a UDP 5-tuple not seen before (tshark numbers the tunnel's UDP, then the quoted one);
# ICMPv6 inside Geneve; a GTP-U echo request (signalling, no G-PDU). Over GRE (no UDP)
# ARP is only counted.
arp = bytes.fromhex("0001 0800 0604 0001") + CLI_MAC + a4("10.30.0.1") + b"\0" * 6 + a4("10.30.0.2")
bcast = b"\xff" * 6
frames.append(eth(ip("192.0.2.7", "192.0.2.8", 17, udp(33333, 4789, vxlan(5, eth(arp, 0x0806, dst=bcast))))))
frames.append(eth(ip("192.0.2.7", "192.0.2.8", 17, udp(33334, 4789, vxlan(5, eth(arp, 0x0806, dst=bcast))))))
lost = ip("10.30.0.1", "10.30.0.2", 17, udp(6000, 7000, b"lost"))
unreach = ip("10.30.0.2", "10.30.0.1", 1, struct.pack("!BBHI", 3, 3, 0, 0) + lost)
frames.append(eth(ip("192.0.2.8", "192.0.2.7", 17, udp(33335, 4789, vxlan(5, eth(unreach, dst=CLI_MAC, src=SRV_MAC))))))
rs = ip("fe80::1", "ff02::2", 58, struct.pack("!BBHI", 133, 0, 0, 0))
frames.append(eth(ip(W1, W2, 17, udp(50009, 6081, geneve(77, 0x86DD, rs))), 0x86DD))
echo = struct.pack("!BBHIHBB", 0x32, 1, 4, 0, 7, 0, 0)
frames.append(eth(ip("10.200.0.1", "10.200.0.2", 17, udp(2152, 2152, echo))))
frames.append(eth(ip(V1, V2, 47, gre(0x0806, arp))))
pcap(os.path.join(os.path.dirname(os.path.abspath(__file__)), "capture.pcap"), frames)
