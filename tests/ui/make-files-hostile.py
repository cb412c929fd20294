#!/usr/bin/env python3
"""make-files-hostile.py OUT.pcap: HTTP objects that would run script if a window served
them as what they claim: an HTML page with <script> and <img onerror>, an SVG with
onload and <script>, markup sent as image/png, a gzip'd HTML page, a name that tries to
leave the directory, a UTF-8 name, Latin-1 text, plus a real 1x1 GIF (the image preview must show it) and a file cut
short (incomplete). The Files test (tests/ui/files.test.mjs) opens it: every object
shows as text or hex, nothing runs, and the list, downloads and zip equal `chattcp
export`'s. One connection per object (tests/lib/pcapgen.py), fixed ports."""
import gzip
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import pcapgen  # noqa: E402

XSS = '<script>window.__xss=21;alert(21)</script><img src=x onerror="window.__xss=22;alert(22)">'
html = ("<!doctype html><html><body><h1>hi</h1>" + XSS + "</body></html>\n").encode()
svg = ('<svg xmlns="http://www.w3.org/2000/svg" onload="window.__xss=23;alert(23)">'
       '<script>window.__xss=24;alert(24)</script><circle r="5"/></svg>\n').encode()
fake_png = ('<html><script>window.__xss=25;alert(25)</script></html>\n').encode()
# a 1x1 transparent GIF
gif = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")
gz_html = gzip.compress(("<p>" + XSS + "</p>\n").encode() * 20, mtime=0)


def resp(ctype, body, extra="", length=None):
    n = len(body) if length is None else length
    return ("HTTP/1.1 200 OK\r\nContent-Type: " + ctype + "\r\n" + extra +
            "Content-Length: " + str(n) + "\r\n\r\n").encode() + body


def req(path):
    return ("GET " + path + " HTTP/1.1\r\nHost: files.test\r\n\r\n").encode()


objs = [
    ("/evil.html", resp("text/html", html)),
    ("/pic.svg", resp("image/svg+xml", svg)),
    ("/fake.png", resp("image/png", fake_png)),
    ("/dot.gif", resp("image/gif", gif)),
    ("/packed.html", resp("text/html", gz_html, "Content-Encoding: gzip\r\n")),
    ("/..%2F..%2Fetc%2Fpasswd%22%3Cb%3E", resp("text/plain", b"root:x:0:0\n")),
    ("/evil.html?again=1", resp("text/html", html)),
    ("/r%C3%A9sum%C3%A9-%CE%B1%CE%B2%CE%B3.txt", resp("text/plain; charset=utf-8", "résumé αβγ\n".encode())),
    ("/latin1.txt", resp("text/plain; charset=iso-8859-1", "café crème, naïve\n".encode("latin-1"))),
    ("/cut.bin", resp("application/octet-stream", bytes(range(256)) * 4, length=4096)),
]
with open(sys.argv[1], "wb") as f:
    f.write(pcapgen.PCAP_HEADER)
    for i, (path, r) in enumerate(objs):
        for rec in pcapgen.exchange(req(path), r, sport=42000 + i, t0=1.7e9 + i):
            f.write(rec)
