#!/usr/bin/env python3
"""client.py SERVER_IP PORT MODE DIR: the clients of make.sh.
midstream: 12 keep-alive connections from source ports 8868-8879; each sends one request,
  then the script writes DIR/phase1 and waits for DIR/go (the capture starts in between),
  then each sends three more requests and closes.
lost: one keep-alive connection from an ephemeral port, four GETs in turn (jpg, webp,
  png, txt), each read to its end before the next."""
import http.client
import os
import sys
import time

ip, port, mode, d = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


def get(c, path):
    c.request("GET", path, headers={"Host": "cases.test", "User-Agent": "chattcp-make"})
    r = c.getresponse()
    r.read()


if mode == "midstream":
    conns = [http.client.HTTPConnection(ip, port, source_address=(os.environ["CLI_IP"], 8868 + i)) for i in range(12)]
    for i, c in enumerate(conns):
        get(c, "/first-%d.txt" % (100 + i))
    open(os.path.join(d, "phase1"), "w").close()
    while not os.path.exists(os.path.join(d, "go")):
        time.sleep(0.05)
    for k, ext in enumerate(("txt", "png", "jpg")):
        for i, c in enumerate(conns):
            get(c, "/obj-%d.%s" % (300 + 500 * k + i, ext))
    for c in conns:
        c.close()
else:
    c = http.client.HTTPConnection(ip, port)
    for path in ("/photo-9000.jpg", "/image-12000.webp", "/icon-7000.png", "/notes-3000.txt"):
        get(c, path)
    c.close()
