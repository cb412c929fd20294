#!/usr/bin/env bash
# make.sh — record cases/dns-retry-truncated-tcp/capture.pcap: a DNS query lost, retried, answered
# truncated (TC) over UDP, and asked again over TCP.
#
# A small python3 DNS server (10.77.0.2:53, UDP and TCP) serves "many.cases.test", 40 A records
# (676 bytes, more than the 512 bytes a DNS answer over UDP may have without EDNS). It ignores
# the first UDP query (as if it were lost), answers the retry with the TC bit set and no
# records, and answers over TCP in full. The client is dig (Debian bind9-dnsutils) without EDNS,
# 1 s timeout: it retries after 1 s, sees TC and repeats the query over TCP.
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, bind9-dnsutils, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_need dig:bind9-dnsutils
cca_up dns

cat > "$W/server.py" <<'PY'
import socket, struct, threading
N = 40
def answer(q, truncated):
    qid, flags = struct.unpack("!HH", q[:4])
    end = q.index(b"\0", 12) + 5                   # the question: name, type, class
    rd = flags & 0x0100
    if truncated:                                  # QR, RD as asked, RA, TC; no records
        return struct.pack("!HHHHHH", qid, 0x8000 | rd | 0x0080 | 0x0200, 1, 0, 0, 0) + q[12:end]
    rr = b"".join(struct.pack("!HHHIH4B", 0xC00C, 1, 1, 300, 4, 10, 77, 1, i + 1) for i in range(N))
    return struct.pack("!HHHHHH", qid, 0x8400 | rd | 0x0080, 1, N, 0, 0) + q[12:end] + rr
def tcp():
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.77.0.2", 53)); s.listen(4)
    while True:
        c, _ = s.accept()
        n = struct.unpack("!H", c.recv(2, socket.MSG_WAITALL))[0]
        q = c.recv(n, socket.MSG_WAITALL)
        a = answer(q, False)
        c.sendall(struct.pack("!H", len(a)) + a)    # two-byte length, then the message (RFC 1035 4.2.2)
        while c.recv(4096):
            pass
        c.close()
threading.Thread(target=tcp, daemon=True).start()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("10.77.0.2", 53))
seen = 0
while True:
    q, peer = u.recvfrom(4096)
    seen += 1
    if seen == 1:
        continue                                   # the first query is "lost"
    u.sendto(answer(q, True), peer)
PY
cca_bg "$NS" "$CCA_PY" "$W/server.py"
cca_wait_port "$NS" 53 udp
cca_wait_port "$NS" 53
cca_capture_start "port 53"
cli dig @10.77.0.2 many.cases.test A +noedns +timeout=1 +tries=3 +nocookie > "$W/dig.out" || true
cca_capture_stop "$HERE/capture.pcap"
cat "$W/dig.out"
grep -q "Truncated, retrying in TCP mode" "$W/dig.out" || cca_fail "dig did not retry over TCP"
[ "$(grep -c 'IN	A	10.77.1' "$W/dig.out")" = 40 ] || cca_fail "not 40 records over TCP"
tshark -r "$HERE/capture.pcap"
