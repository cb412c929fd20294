"""tunnelgen.py: packets inside tunnels and unusual links, for the generated captures
of tests/captures/made/tun-*/ (each make.py there uses it). Everything is built from
the formats' RFCs/standards; nothing random (the captures must come out the same
every time). Checksums are filled in where tshark would otherwise complain loudly
(IPv4 headers); TCP/UDP checksums are 0 (tshark does not check them by default)."""
import struct
import zlib

CLI_MAC = b"\x02\x00\x00\x00\x00\x01"
SRV_MAC = b"\x02\x00\x00\x00\x00\x02"


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def a4(s):
    return bytes(map(int, s.split(".")))


def a6(s):
    head, _, tail = s.partition("::")
    h = [int(x, 16) for x in head.split(":") if x]
    t = [int(x, 16) for x in tail.split(":") if x]
    return struct.pack("!8H", *(h + [0] * (8 - len(h) - len(t)) + t))


def ip(src, dst, proto, payload, ident=0):
    """IPv4 or IPv6 (by the address) carrying payload as protocol proto."""
    if ":" in src:
        return struct.pack("!IHBB16s16s", 6 << 28, len(payload), proto, 64, a6(src), a6(dst)) + payload
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0, a4(src), a4(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def tcp(sport, dport, seq, ack, flags, payload=b"", win=64240):
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, win, 0, 0) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def eth(payload, ethertype=0x0800, dst=SRV_MAC, src=CLI_MAC, vlan=None):
    tag = struct.pack("!HH", 0x8100, vlan) if vlan is not None else b""
    return dst + src + tag + struct.pack("!H", ethertype) + payload


def ethertype_of(inner_ip):
    return 0x86DD if inner_ip[0] >> 4 == 6 else 0x0800


def conversation(cli, srv, sport, dport, request=None, response=None):
    """The IP packets of one TCP connection (handshake, one request and its response,
    a FIN exchange), each as (direction 0 client->server / 1 back, packet bytes)."""
    request = request or b"GET /%d HTTP/1.1\r\nHost: tunnel.test\r\n\r\n" % sport
    response = response or b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    cs, ss = 1000 + sport * 7, 900000 + dport * 13
    out = []

    def add(d, *a):
        src, dst = (cli, srv) if d == 0 else (srv, cli)
        out.append((d, ip(src, dst, 6, tcp(*a))))
    add(0, sport, dport, cs, 0, 0x02)
    add(1, dport, sport, ss, cs + 1, 0x12)
    cs, ss = cs + 1, ss + 1
    add(0, sport, dport, cs, ss, 0x10)
    add(0, sport, dport, cs, ss, 0x18, request)
    cs += len(request)
    add(1, dport, sport, ss, cs, 0x18, response)
    ss += len(response)
    add(0, sport, dport, cs, ss, 0x11)
    add(1, dport, sport, ss, cs + 1, 0x11)
    add(0, sport, dport, cs + 1, ss + 1, 0x10)
    return out


# ---- tunnels: each wraps an inner packet (bytes) into the bytes that carry it


def vxlan(vni, inner_frame):
    return struct.pack("!II", 0x08000000, vni << 8) + inner_frame


def geneve(vni, proto, inner, options=b""):
    assert len(options) % 4 == 0
    return struct.pack("!BBHI", len(options) // 4, 0, proto, vni << 8) + options + inner


def gre(proto, inner, key=None, seq=None, checksum=False):
    flags = (0x8000 if checksum else 0) | (0x2000 if key is not None else 0) | (0x1000 if seq is not None else 0)
    opt = b""
    if checksum:
        opt += b"\0\0\0\0"
    if key is not None:
        opt += struct.pack("!I", key)
    if seq is not None:
        opt += struct.pack("!I", seq)
    b = struct.pack("!HH", flags, proto) + opt + inner
    if checksum:
        c = csum(b)
        b = b[:4] + struct.pack("!H", c) + b[6:]
    return b


def erspan2(session, index, frame, vlan=0):
    w0 = (1 << 28) | (vlan << 16) | session
    return struct.pack("!II", w0, index) + frame


def erspan3(session, timestamp, hwid, frame, vlan=0, platform=None):
    w0 = (2 << 28) | (vlan << 16) | session
    w2 = (hwid << 4) | (1 if platform is not None else 0)
    return struct.pack("!III", w0, timestamp, w2) + (platform or b"") + frame


def mpls(labels, inner, ttl=64):
    out = b""
    for i, lab in enumerate(labels):
        out += struct.pack("!I", (lab << 12) | ((1 if i == len(labels) - 1 else 0) << 8) | ttl)
    return out + inner


def pppoe(session, ppp_proto, inner):
    body = struct.pack("!H", ppp_proto) + inner
    return struct.pack("!BBHH", 0x11, 0, session, len(body)) + body


def gtpu(teid, inner, seq=None, ext=None):
    """ext: list of (type, contents) extension headers (contents padded to 4n-2 bytes)."""
    flags = 0x30
    opt = b""
    if seq is not None or ext:
        flags |= (0x02 if seq is not None else 0) | (0x04 if ext else 0)
        first = ext[0][0] if ext else 0
        opt = struct.pack("!HBB", seq or 0, 0, first)
        for i, (_, contents) in enumerate(ext or []):
            nxt = ext[i + 1][0] if i + 1 < len(ext) else 0
            body = contents + b"\0" * (-(len(contents) + 2) % 4)
            opt += bytes([(len(body) + 2) // 4]) + body + bytes([nxt])
    body = opt + inner
    return struct.pack("!BBHI", flags, 255, len(body), teid) + body


# ---- 802.11


def mac(n):
    return bytes([0x02, 0x11, 0x22, 0x33, 0x44, n])


def dot11_data(inner_ip, to_ds, from_ds, bssid, sa, da, qos=None, seq=0):
    """An 802.11 data frame (QoS data when qos is a TID) with LLC/SNAP."""
    subtype = 8 if qos is not None else 0
    fc = (2 << 2) | (subtype << 4) | ((1 if to_ds else 0) << 8) | ((1 if from_ds else 0) << 9)
    if to_ds and not from_ds:
        a1, a2, a3 = bssid, sa, da
    elif from_ds and not to_ds:
        a1, a2, a3 = da, bssid, sa
    else:
        a1, a2, a3 = da, sa, bssid
    h = struct.pack("<HH", fc, 0) + a1 + a2 + a3 + struct.pack("<H", seq << 4)
    if qos is not None:
        h += struct.pack("<H", qos)
    return h + b"\xaa\xaa\x03\x00\x00\x00" + struct.pack("!H", ethertype_of(inner_ip)) + inner_ip


def radiotap(frame, tsft=None, flags=None, rate=None):
    """A radiotap header (TSFT, Flags, Rate when given) before frame; Flags 0x10 means
    the frame ends with its FCS: it is appended."""
    present, fields = 0, b""
    if tsft is not None:
        present |= 1
        fields += b"\0" * (-(8 + len(fields)) % 8) + struct.pack("<Q", tsft)
    if flags is not None:
        present |= 2
        fields += bytes([flags])
    if rate is not None:
        present |= 4
        fields += bytes([rate])
    if flags is not None and flags & 0x10:
        frame = frame + struct.pack("<I", zlib.crc32(frame) & 0xFFFFFFFF)
    return struct.pack("<BBHI", 0, 0, 8 + len(fields), present) + fields + frame


# ---- files


def pcap(path, frames, linktype=1, version=(2, 4), snaplen=262144, swapped_lengths=False, t0=1700000000):
    """Writes a microsecond pcap; frames are bytes, or (bytes, captured) to cut one to
    its first `captured` bytes. swapped_lengths writes each record's original length
    where the captured length belongs and the other way round (files before pcap 2.3)."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, version[0], version[1], 0, 0, snaplen, linktype)]
    for i, f in enumerate(frames):
        data, cap = (f, len(f)) if isinstance(f, (bytes, bytearray)) else f
        cap = min(cap, snaplen, len(data))
        a, b = (len(data), cap) if swapped_lengths else (cap, len(data))
        out.append(struct.pack("<IIII", t0 + i // 100, (i % 100) * 10000, a, b) + data[:cap])
    with open(path, "wb") as fh:
        fh.write(b"".join(out))


def pcapng(path, ifaces, frames, t0=1700000000):
    """Writes a pcapng with one interface per link type in ifaces; frames are (interface
    index, bytes)."""
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        return struct.pack("<II", btype, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))
    out = [block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))]
    for lt in ifaces:
        out.append(block(1, struct.pack("<HHI", lt, 0, 262144)))
    for i, (ifx, data) in enumerate(frames):
        us = (t0 + i // 100) * 1000000 + (i % 100) * 10000
        out.append(block(6, struct.pack("<IIIII", ifx, us >> 32, us & 0xFFFFFFFF, len(data), len(data)) + data))
    with open(path, "wb") as fh:
        fh.write(b"".join(out))
