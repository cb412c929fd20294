#!/usr/bin/env bash
# cases/nagle-delayed-ack/make.sh: makes cases/nagle-delayed-ack/capture.pcap
#   Nagle's algorithm meets delayed ACK. A client sends requests as two small writes (a header, then a
#   body) and then reads the answer; the server answers only after it has read both parts.
#   Connection 1 (default socket, Nagle on): the body waits in the client until the header is ACKed,
#   and the server delays that ACK (~40 ms on Linux) hoping to piggyback it on an answer that cannot
#   come yet: a ~40 ms stall per request.
#   Connection 2 (same client with TCP_NODELAY): the body leaves at once, answers come in ~0.1 ms.
#   Real Linux stacks in two network namespaces (ccb-nagle-delayed-ack-c, ccb-nagle-delayed-ack-s)
#   joined by a veth pair, 10.78.6.1 (client) <-> 10.78.6.2 (server). Capture on the client.
# Needs: root; Debian packages iproute2, tcpdump, tshark, ethtool, python3.
# Re-runnable: deletes its namespaces on exit; exits non-zero if the capture does not show the story.
set -euo pipefail
CASE=nagle-delayed-ack
HERE=$(cd "$(dirname "$0")" && pwd)
CLI=10.78.6.1 SRV=10.78.6.2 PORT=7070

# shellcheck source-path=SCRIPTDIR source=../lib-ccb.sh
. "$HERE/../lib-ccb.sh"    # P=ccb-$CASE, work dir W, PIDS, inns, cleanup on exit
ccb_need ip:iproute2 tcpdump:tcpdump tshark:tshark ethtool:ethtool python3:python3

# ---- network: two namespaces, one veth pair, no IPv6 (no router solicitations), offloads off
ccb_two_hosts

# ---- capture
ccb_capture c c0 cap.pcap "tcp and host $SRV"

# ---- the story
cat > "$W/server.py" <<'PY'
import socket, sys
port = int(sys.argv[1])
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", port)); l.listen(4)
print("server: listening", flush=True)
def readn(c, n):
    b = b""
    while len(b) < n:
        x = c.recv(n - len(b))
        if not x: return None
        b += x
    return b
for conn in range(2):
    c, _ = l.accept()
    while True:
        hdr = readn(c, 16)                 # "LEN 0000000032\r\n"
        if hdr is None: break
        body = readn(c, int(hdr[4:14]))    # the server needs the body before it can answer
        c.sendall(b"OK got %d bytes\r\n" % len(body))
    c.close()
PY
cat > "$W/client.py" <<'PY'
import socket, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for nodelay in (0, 1):
    s = socket.socket()
    if nodelay:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.connect((host, port))
    for i in range(n):
        body = b"request %d: hello server\r\n" % i
        t0 = time.monotonic()
        s.send(b"LEN %010d\r\n" % len(body))   # write 1: the header
        s.send(body)                              # write 2: the body
        s.recv(100)                               # read: the answer
        print("TCP_NODELAY=%d request %d: answer after %.1f ms" % (nodelay, i, (time.monotonic() - t0) * 1000), flush=True)
        time.sleep(0.1)
    s.close()
    time.sleep(0.3)
PY
ccb_bg s "$W/server.out" listening python3 "$W/server.py" $PORT
SP=$CCB_BG
inns c python3 "$W/client.py" $SRV $PORT 5
wait $SP || true

ccb_capture_stop 0.5

# ---- check the story
F="$HERE/capture.pcap"
tshark -r "$F" -T fields -e frame.number -e frame.time_relative -e frame.time_delta -e tcp.stream -e ip.src -e tcp.flags.str -e tcp.seq -e tcp.ack -e tcp.len -e tcp.payload | sed 's/\t[0-9a-f]*0d0a$/\t(data)/'
# time between a header (16 bytes) and the body that follows it, per stream
tshark -r "$F" -Y 'ip.src==10.78.6.1 && tcp.len > 0' -T fields -e tcp.stream -e frame.time_relative -e tcp.len |
    awk '$3 == 16 { h[$1] = $2; next } ($1 in h) { printf "stream %s: body %.1f ms after header\n", $1, ($2 - h[$1]) * 1000; delete h[$1] }' > "$W/gaps"
cat "$W/gaps"
slow=$(awk '$1 == "stream" && $2 == "0:" && $4 > 30' "$W/gaps" | wc -l)
fast=$(awk '$1 == "stream" && $2 == "1:" && $4 < 5' "$W/gaps" | wc -l)
echo "Nagle connection: $slow stalls > 30 ms; TCP_NODELAY connection: $fast bodies within 5 ms"
[ "$slow" -ge 3 ] && [ "$fast" = 5 ] || { echo "$CASE: the stall / no-stall contrast is not there" >&2; exit 1; }
ccb_done 68    # lesson.md numbers the 68 packets of the shipped capture
