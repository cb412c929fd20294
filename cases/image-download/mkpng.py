#!/usr/bin/env python3
"""Write a deterministic PNG (RGB, 8 bit): a colour gradient with a ring and some seeded noise,
so it does not compress to nothing and takes many TCP segments. Usage: mkpng.py OUT.png"""
import struct, sys, zlib

W, H = 128, 96

def chunk(kind, data):
    c = struct.pack(">I", len(data)) + kind + data
    return c + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)

seed = 20240601
def rnd():
    global seed
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed >> 16

rows = bytearray()
for y in range(H):
    rows.append(0)                       # filter type 0 (None) for every row
    for x in range(W):
        d = ((x - 64) ** 2 + (y - 48) ** 2) ** 0.5
        ring = 255 if 26 < d < 36 else 0
        r = (x * 255 // W) ^ (rnd() & 0x07)
        g = (y * 255 // H) ^ (rnd() & 0x07)
        b = max(ring, 128 + (rnd() & 0x0f) - 8)
        rows += bytes((r, g, b))

png = b"\x89PNG\r\n\x1a\n"
png += chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0))
png += chunk(b"tEXt", b"Comment\x00chattcp case image-download")
png += chunk(b"IDAT", zlib.compress(bytes(rows), 9))
png += chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
