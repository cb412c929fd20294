#!/usr/bin/env python3
"""make-xss.py OUT.pcap: a capture whose every string the window shows is hostile HTML:
an HTTP request and response with <script>, <img onerror> and javascript: in the URI,
the headers and the bodies, then a plain TCP connection whose payload is markup. The
browser test (tests/suite/ui) opens it and checks it is shown as text and ran nothing.
Frames come from tests/lib/pcapgen.py; the client port from a fixed seed."""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import pcapgen  # noqa: E402

rnd = random.Random(13)
cli, srv = bytes([10, 13, 0, 1]), bytes([10, 13, 0, 2])
XSS_IMG = '<img src=x onerror="window.__xss=1">'
XSS_SCRIPT = "<script>window.__xss=2</script>"


def conversation(t, sport, dport, c2s, s2c):
    """Handshake, one message each way (each ACKed), FIN close; yields records."""
    cs, ss = rnd.randrange(1 << 31), rnd.randrange(1 << 31)
    F = pcapgen._frame
    yield F(t, cli, srv, sport, dport, cs, 0, 0x02)
    yield F(t + 0.001, srv, cli, dport, sport, ss, cs + 1, 0x12)
    cs, ss = cs + 1, ss + 1
    yield F(t + 0.002, cli, srv, sport, dport, cs, ss, 0x10)
    yield F(t + 0.003, cli, srv, sport, dport, cs, ss, 0x18, c2s)
    cs += len(c2s)
    yield F(t + 0.004, srv, cli, dport, sport, ss, cs, 0x10)
    yield F(t + 0.010, srv, cli, dport, sport, ss, cs, 0x18, s2c)
    ss += len(s2c)
    yield F(t + 0.011, cli, srv, sport, dport, cs, ss, 0x10)
    yield F(t + 0.020, cli, srv, sport, dport, cs, ss, 0x11)
    yield F(t + 0.021, srv, cli, dport, sport, ss, cs + 1, 0x11)
    yield F(t + 0.022, cli, srv, sport, dport, cs + 1, ss + 1, 0x10)


req = ("GET /search?q=" + XSS_SCRIPT + "&next=javascript:window.__xss=3 HTTP/1.1\r\n"
       "Host: <img src=x onerror=window.__xss=4>\r\n"
       "User-Agent: " + XSS_IMG + "\r\n"
       "Referer: javascript:window.__xss=5\r\n\r\n").encode()
body = ("<html><body>" + XSS_SCRIPT + XSS_IMG + '<a href="javascript:window.__xss=6">click</a></body></html>').encode()
resp = ("HTTP/1.1 200 " + XSS_IMG + "\r\n"
        "Content-Type: text/html\r\n"
        "Location: javascript:window.__xss=7\r\n"
        "X-Note: " + XSS_SCRIPT + "\r\n"
        "Content-Length: " + str(len(body)) + "\r\n\r\n").encode() + body
raw_c2s = (XSS_SCRIPT + "\n" + XSS_IMG + "\njavascript:window.__xss=8\n").encode()
raw_s2c = ("<svg onload=window.__xss=9></svg><iframe src=javascript:window.__xss=10></iframe>\n").encode()

with open(sys.argv[1], "wb") as f:
    f.write(pcapgen.PCAP_HEADER)
    for r in conversation(1.7e9, 40000 + rnd.randrange(20000), 80, req, resp):
        f.write(r)
    for r in conversation(1.7e9 + 1, 40000 + rnd.randrange(20000), 7000, raw_c2s, raw_s2c):
        f.write(r)
