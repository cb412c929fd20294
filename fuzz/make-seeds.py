#!/usr/bin/env python3
"""make-seeds.py CAPTURE...: writes small seed inputs for the fuzz targets from real
captures (the shared corpus and cases/*/capture.pcap), into fuzz/corpus/<target>/:

  fuzz_capture  the file header and the first records, at most 2 KB, format kept; and
                each of those gzip'd (NAME.gz), so pushed gzip streams start valid
  fuzz_engine   pcap: the first records each cut to 160 captured bytes (headers and the
                start of the payload; wire length kept, as a snaplen cut), at most 4 KB,
                so a seed holds a handshake and the first requests; pcapng: the first
                blocks up to 4 KB
                plus, for captures of at most 3 KB, the whole file as full-NAME (whole
                payloads, so reassembly and the application decoders get real messages)
  fuzz_decode   up to 4 frames (first 300 bytes each), prefixed by the byte that picks
                the link type in fuzz_decode.c and a 0 "whole frame" byte

Seeds are named after their source; rerunning overwrites them. Run from the top of the
tree: fuzz/make-seeds.py ../shared/corpus/*.pcap* cases/*/capture.pcap
"""
import gzip
import os
import struct
import sys

# Index in fuzz_decode.c's linktypes[] for each LINKTYPE value.
LT_INDEX = {1: 0, 113: 1, 276: 2, 0: 3, 108: 4, 101: 5, 228: 6, 229: 7, 12: 8, 14: 9}


def pcap_records(b):
    magic = b[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return None
    lt = struct.unpack(e + "I", b[20:24])[0] & 0xFFFF
    off, recs = 24, []
    while off + 16 <= len(b):
        sec, frac, cl, wl = struct.unpack(e + "IIII", b[off:off + 16])
        if off + 16 + cl > len(b) or cl > 262144:
            break
        recs.append((sec, frac, wl, b[off + 16:off + 16 + cl]))
        off += 16 + cl
    return e, b[:24], lt, recs


def pcapng_blocks(b):
    if b[:4] != b"\x0a\x0d\x0d\x0a" or len(b) < 12:
        return None
    e = "<" if b[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    off, blocks = 0, []
    while off + 12 <= len(b):
        t, bl = struct.unpack(e + "II", b[off:off + 8])
        if bl < 12 or off + bl > len(b):
            break
        blocks.append((t, b[off:off + bl]))
        off += bl
    return e, blocks


def write(target, name, data):
    d = os.path.join("fuzz", "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
    if target == "fuzz_capture" and not name.endswith(".gz"):
        # mtime 0: the same seed every time
        write(target, name + ".gz", gzip.compress(data, 9, mtime=0))


def main():
    for path in sys.argv[1:]:
        b = open(path, "rb").read()
        name = os.path.basename(path)
        if name == "capture.pcap":
            name = "case-" + os.path.basename(os.path.dirname(path)) + ".pcap"
        if len(b) <= 3072 and (pcap_records(b) or pcapng_blocks(b)):
            write("fuzz_engine", "full-" + name, b)
        p = pcap_records(b)
        if p:
            e, hdr, lt, recs = p
            out = bytearray(hdr)
            for sec, frac, wl, data in recs:
                r = struct.pack(e + "IIII", sec, frac, len(data), wl) + data
                if len(out) + len(r) > 2048 and len(out) > 24:
                    break
                out += r
            write("fuzz_capture", name, bytes(out))
            out = bytearray(hdr)
            for sec, frac, wl, data in recs:
                cut = data[:160]
                r = struct.pack(e + "IIII", sec, frac, len(cut), wl) + cut
                if len(out) + len(r) > 4096:
                    break
                out += r
            write("fuzz_engine", name, bytes(out))
            frames = [data for _, _, _, data in recs[:4]]
        else:
            g = pcapng_blocks(b)
            if not g:
                continue
            e, blocks = g
            out = bytearray()
            for t, blk in blocks:
                if len(out) + len(blk) > 4096 and t != 1:
                    break
                out += blk
            write("fuzz_engine", name, bytes(out))
            write("fuzz_capture", name, bytes(out[:2048]) if len(out) > 2048 else bytes(out))
            lt, frames = None, []
            for t, blk in blocks:
                if t == 1 and lt is None:
                    lt = struct.unpack(e + "H", blk[8:10])[0]
                if t == 6 and len(frames) < 4:
                    cl = struct.unpack(e + "I", blk[20:24])[0]
                    frames.append(blk[28:28 + cl])
        if lt in LT_INDEX:
            for i, fr in enumerate(frames):
                write("fuzz_decode", "%s-%d" % (name, i + 1), bytes([LT_INDEX[lt], 0]) + fr[:300])


if __name__ == "__main__":
    main()
