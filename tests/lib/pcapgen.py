"""pcapgen.py: pcap records for tests, written as a stream (no file needed).

Two uses: split an existing capture into its records (to write it in timed pieces),
and make large synthetic TCP flows (a handshake, then data segments answered by ACKs,
then a FIN exchange) without holding them in memory, for tests that need a big
capture through a pipe. The synthetic flows are plain Ethernet/IPv4/TCP, checksums 0
(chattcp does not validate them, like Wireshark by default)."""
import struct

PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)


def records(path):
    """(file header, [record bytes...]) of a little-endian or big-endian pcap file."""
    data = open(path, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        order = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        order = ">"
    else:
        raise ValueError(f"{path}: not a classic pcap file")
    out, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack(order + "I", data[off + 8:off + 12])[0]
        out.append(data[off:off + 16 + caplen])
        off += 16 + caplen
    return data[:24], out


def _frame(t, src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000, 64, 6, 0, src, dst)
    eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
    pkt = eth + ip + tcp + payload
    sec, usec = int(t), int((t - int(t)) * 1e6)
    return struct.pack("<IIII", sec, usec, len(pkt), len(pkt)) + pkt


def flow(total_bytes, first_bytes=b"", sport=40000, dport=8080, seg=1448, t0=1.0e9, step=1e-5):
    """Records of one TCP connection that carries first_bytes then filler from the
    server to the client, total_bytes in all, in segments of seg bytes, each answered
    by an ACK; yields record bytes one by one."""
    cli, srv = bytes([10, 9, 0, 1]), bytes([10, 9, 0, 2])
    cs, ss = 1000, 5000000
    t = t0
    yield _frame(t, cli, srv, sport, dport, cs, 0, 0x02)
    t += step
    yield _frame(t, srv, cli, dport, sport, ss, cs + 1, 0x12)
    t += step
    cs += 1
    ss += 1
    yield _frame(t, cli, srv, sport, dport, cs, ss, 0x10)
    req = b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n" if first_bytes.startswith(b"HTTP/") else b"hello\r\n"
    t += step
    yield _frame(t, cli, srv, sport, dport, cs, ss, 0x18, req)
    cs += len(req)
    sent = 0
    filler = bytes(range(256)) * ((seg // 256) + 2)
    while sent < total_bytes:
        n = min(seg, total_bytes - sent)
        if sent < len(first_bytes):
            chunk = (first_bytes[sent:sent + n] + filler)[:n]
        else:
            chunk = filler[(sent % 256):(sent % 256) + n]
        t += step
        yield _frame(t, srv, cli, dport, sport, ss, cs, 0x18, chunk)
        ss += n
        sent += n
        t += step
        yield _frame(t, cli, srv, sport, dport, cs, ss, 0x10)
    t += step
    yield _frame(t, srv, cli, dport, sport, ss, cs, 0x11)
    t += step
    yield _frame(t, cli, srv, sport, dport, cs, ss + 1, 0x11)
    t += step
    yield _frame(t, srv, cli, dport, sport, ss + 1, cs + 1, 0x10)


# ---- hand-made packets at chosen times (tests/suite/time-extremes) ----

CLI_MAC, SRV_MAC = b"\x02\x00\x00\x00\x00\x01", b"\x02\x00\x00\x00\x00\x02"


def tcp_frame(src, dst, sport, dport, seq, ack, flags, payload=b"", win=65535):
    """An Ethernet/IPv4/TCP frame (no options, checksums 0); src/dst are 4-byte addresses."""
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, win, 0, 0)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000, 64, 6, 0, src, dst)
    return SRV_MAC + CLI_MAC + b"\x08\x00" + ip + tcp + payload


def udp_frame(src, dst, sport, dport, payload):
    """An Ethernet/IPv4/UDP frame (checksums 0)."""
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp) + len(payload), 0, 0x4000, 64, 17, 0, src, dst)
    return SRV_MAC + CLI_MAC + b"\x08\x00" + ip + udp + payload


def pcap_bytes(packets):
    """A microsecond pcap file of (seconds, microseconds, frame) tuples; seconds are
    the unsigned 32-bit field of the format (0 .. 2^32-1)."""
    out = [PCAP_HEADER]
    for sec, usec, frame in packets:
        out.append(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame)
    return b"".join(out)


def _pcapng_block(btype, body):
    body += b"\x00" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def _pcapng_opt(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\x00" * (-len(value) % 4)


def pcapng_bytes(packets, tsoffset_s=0, tsresol=9):
    """A little-endian pcapng file with one Ethernet interface whose clock has
    resolution 10^-tsresol s and offset tsoffset_s seconds (if_tsresol, if_tsoffset);
    packets are (ticks, frame) with ticks the unsigned 64-bit count the format stores,
    so ns = ticks * 10^(9-tsresol) + tsoffset_s * 10^9 (chattcp clamps it to +-2^62)."""
    shb = _pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    opts = _pcapng_opt(9, bytes([tsresol])) + _pcapng_opt(14, struct.pack("<q", tsoffset_s)) + _pcapng_opt(0, b"")
    idb = _pcapng_block(1, struct.pack("<HHI", 1, 0, 262144) + opts)
    out = [shb, idb]
    for ticks, frame in packets:
        body = struct.pack("<IIIII", 0, (ticks >> 32) & 0xFFFFFFFF, ticks & 0xFFFFFFFF, len(frame), len(frame)) + frame
        out.append(_pcapng_block(6, body))
    return b"".join(out)


def exchange(request, response, sport=41000, dport=80, seg=1448, t0=1.0e9, step=1e-5, close=True):
    """Records of one TCP connection that carries one request and its response (bytes
    each, the response cut into segments of seg bytes), then a FIN exchange when close;
    a list of record bytes. Give each connection its own sport."""
    cli, srv = bytes([10, 9, 1, 1]), bytes([10, 9, 1, 2])
    cs, ss, t, out = 7000, 9000000, t0, []

    def add(*a):
        nonlocal t
        out.append(_frame(t, *a))
        t += step
    add(cli, srv, sport, dport, cs, 0, 0x02)
    add(srv, cli, dport, sport, ss, cs + 1, 0x12)
    cs, ss = cs + 1, ss + 1
    add(cli, srv, sport, dport, cs, ss, 0x10)
    for o in range(0, len(request), seg):
        add(cli, srv, sport, dport, cs, ss, 0x18, request[o:o + seg])
        cs += len(request[o:o + seg])
    for o in range(0, len(response), seg):
        add(srv, cli, dport, sport, ss, cs, 0x18, response[o:o + seg])
        ss += len(response[o:o + seg])
    add(cli, srv, sport, dport, cs, ss, 0x10)
    if close:
        add(srv, cli, dport, sport, ss, cs, 0x11)
        add(cli, srv, sport, dport, cs, ss + 1, 0x11)
        add(srv, cli, dport, sport, ss + 1, cs + 1, 0x10)
    return out


def frame_bytes(record):
    """The packet bytes of a pcap record made here (its 16-byte header left off)."""
    return record[16:]
