#!/usr/bin/env bash
# cases/middlebox-rst/make.sh: makes cases/middlebox-rst/capture.pcap
#   A middlebox injects a RST: a router between client and server inspects payloads, and when a
#   request contains the word "forbidden" it drops the segment and answers the client with a TCP
#   RST in the server's name (nftables "reject with tcp reset", as a filtering firewall or a
#   censoring box does). The first request on the connection passes and is answered; the second
#   is "answered" by the RST. Who really sent it shows in the IP header: the server's packets
#   come through the router (TTL 63), the RST comes from the router itself (TTL 64).
#     [ccb-middlebox-rst-c] c0 10.78.50.1 --- r0 [..-r] r1 --- s0 10.78.51.2 [..-s]
#   Capture on c0 (the client's view).
# Needs: root; Debian packages iproute2, nftables, tcpdump, tshark, ethtool, python3.
set -euo pipefail
CASE=middlebox-rst
HERE=$(cd "$(dirname "$0")" && pwd)
CLI=10.78.50.1 SRV=10.78.51.2 PORT=7500
# shellcheck source-path=SCRIPTDIR source=../lib-ccb.sh
. "$HERE/../lib-ccb.sh"
ccb_need ip:iproute2 nft:nftables tcpdump:tcpdump tshark:tshark ethtool:ethtool python3:python3

ccb_routed 10.78.50.254 10.78.51.254
# "forbidden" = 66 6f 72 62 69 64 64 65 6e, looked for at the start of the word after "GET /"
inns r nft -f - <<NFT
table inet censor {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip daddr $SRV tcp dport $PORT @ih,40,72 0x666f7262696464656e counter reject with tcp reset
  }
}
NFT
cat > "$W/server.py" <<PY
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("$SRV", $PORT)); s.listen(1)
c, _ = s.accept()
while True:
    d = c.recv(100)
    if not d:
        break
    body = b"here is " + d.split()[1] + b"\n"
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
PY
cat > "$W/client.py" <<PY
import socket, time
c = socket.create_connection(("$SRV", $PORT))
c.sendall(b"GET /allowed HTTP/1.1\r\nHost: cases.test\r\n\r\n")
print(c.recv(100))
time.sleep(0.5)
c.sendall(b"GET /forbidden HTTP/1.1\r\nHost: cases.test\r\n\r\n")
try:
    print(c.recv(100))
except ConnectionResetError as e:
    print("reset:", e)
PY
ccb_bg s "$W/server.log" "" python3 "$W/server.py"
sleep 0.3
ccb_capture c c0 cap.pcap "tcp port $PORT"
inns c python3 "$W/client.py" | tee "$W/client.out"
ccb_capture_stop 0.3
grep -q "^reset" "$W/client.out" || { echo "$CASE: the client was not reset" >&2; exit 1; }
tshark -r "$HERE/capture.pcap" -T fields -e frame.number -e ip.src -e ip.ttl -e tcp.flags.str -e tcp.len 2>/dev/null
ccb_done "$(tshark -r "$HERE/capture.pcap" 2>/dev/null | wc -l)"
