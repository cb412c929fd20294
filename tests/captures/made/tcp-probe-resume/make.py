#!/usr/bin/env python3
"""make.py: writes capture.pcap, the shape Wireshark's rule "a segment longer than one
byte that starts one below the next expected sequence number is not a retransmission"
is for (its user guide, TCP analysis, "Retransmission"; Wireshark issue 15427).

Not recorded from a stack: Linux, the only stack on this machine, probes a zero window
with a segment at SND.UNA-1 and no data (Wireshark: keep-alive), and then sends its
data at the next expected number, so no Linux run here shows the shape (tried: readers
that stall, trickle, small buffers, MTU 1500/9000/65000). The packets below follow a
stack that probes with one byte of new data at SND.NXT (RFC 9293 section 3.8.6.1, as
Windows does), seen from a capture point that missed the receiver's zero-window ACK:

  1-3   handshake (no window scale), client 10.9.1.1:40001 -> server 10.9.1.2:8080
  4-5   client 2 x 1448 bytes (rseq 1, 1449)   [the server's ACK 2897 win 0 not captured]
  6     client 1-byte probe at rseq 2897: the window was not seen closed, so Wireshark
        counts the byte as sent (next expected 2898)
  7-8   server ACK 2897 win 0: the byte was not taken (zero window)
  9     server window update, ACK 2897 win 8192
  10    client 1448 bytes from rseq 2897: one below the next expected number and longer
        than one byte: new data, not a retransmission (tshark: no label; chattcp
        before this rule: retransmission)
  11-14 server ACK 4345 (tshark: ACKed unseen segment, the probe's byte was counted
        as lost), FIN, FIN, ACK.
Checksums are 0 (neither tshark nor chattcp validates them by default)."""
import os
import struct

CLI, SRV = bytes([10, 9, 1, 1]), bytes([10, 9, 1, 2])
CP, SP = 40001, 8080


def frame(t, c2s, seq, ack, flags, win, payload=b"", mss=False):
    src, dst, sport, dport = (CLI, SRV, CP, SP) if c2s else (SRV, CLI, SP, CP)
    opts = struct.pack(">BBH", 2, 4, 1460) if mss else b""
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, (5 + len(opts) // 4) << 4,
                      flags, win, 0, 0) + opts
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000, 64, 6, 0, src, dst)
    eth = (b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01" if c2s else
           b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02") + b"\x08\x00"
    pkt = eth + ip + tcp + payload
    sec, usec = int(t), int(round((t - int(t)) * 1e6))
    return struct.pack("<IIII", sec, usec, len(pkt), len(pkt)) + pkt


SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
c, s = 1000000, 7000000   # ISNs
data = bytes(i % 251 for i in range(8000))
t = 1765000000.0
recs = [
    frame(t, True, c, 0, SYN, 64240, mss=True),
    frame(t + 0.001, False, s, c + 1, SYN | ACK, 2896, mss=True),
    frame(t + 0.002, True, c + 1, s + 1, ACK, 64240),
    frame(t + 0.003, True, c + 1, s + 1, ACK, 64240, data[0:1448]),
    frame(t + 0.003, True, c + 1449, s + 1, PSH | ACK, 64240, data[1448:2896]),
    frame(t + 0.250, True, c + 2897, s + 1, PSH | ACK, 64240, data[2896:2897]),
    frame(t + 0.251, False, s + 1, c + 2897, ACK, 0),
    frame(t + 0.700, False, s + 1, c + 2897, ACK, 0),
    frame(t + 1.500, False, s + 1, c + 2897, ACK, 8192),
    frame(t + 1.501, True, c + 2897, s + 1, ACK, 64240, data[2896:4344]),
    frame(t + 1.502, False, s + 1, c + 4345, ACK, 8192),
    frame(t + 1.503, True, c + 4345, s + 1, FIN | ACK, 64240),
    frame(t + 1.504, False, s + 1, c + 4346, FIN | ACK, 8192),
    frame(t + 1.505, True, c + 4346, s + 2, ACK, 64240),
]
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "capture.pcap"), "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    for r in recs:
        f.write(r)
