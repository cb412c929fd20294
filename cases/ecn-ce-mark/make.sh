#!/usr/bin/env bash
# cases/ecn-ce-mark/make.sh: makes cases/ecn-ce-mark/capture.pcap
#   Explicit Congestion Notification (RFC 3168) end to end: the client asks for ECN in its SYN
#   (net.ipv4.tcp_ecn=1), the server agrees (tcp_ecn=2, Linux's default: accept when asked), and
#   a router between them marks one data segment "Congestion Experienced" (CE) instead of
#   dropping it, as an AQM router does when its queue grows. The client echoes ECE on its ACKs
#   until the server answers with CWR, having reduced its congestion window: a congestion
#   signal with no loss and no retransmission.
#   The server (python3) sends five 400-byte messages 50 ms apart (TCP_NODELAY, so one segment
#   each); the third begins with "MARK", which nftables in the router recognises and marks CE
#   (ip ecn set ce; the router's kernel fixes the IP checksum).
#     [ccb-ecn-ce-mark-c] c0 10.78.20.1 --- r0 [..-r] r1 --- s0 10.78.21.2 [..-s]
#   Capture on c0 (the client's interface, after the marking router).
# Needs: root; Debian packages iproute2, nftables, tcpdump, tshark, ethtool, python3.
set -euo pipefail
CASE=ecn-ce-mark
HERE=$(cd "$(dirname "$0")" && pwd)
CLI=10.78.20.1 SRV=10.78.21.2 PORT=7100
# shellcheck source-path=SCRIPTDIR source=../lib-ccb.sh
. "$HERE/../lib-ccb.sh"
ccb_need ip:iproute2 nft:nftables tcpdump:tcpdump tshark:tshark ethtool:ethtool python3:python3

ccb_routed 10.78.20.254 10.78.21.254
inns c sysctl -qw net.ipv4.tcp_ecn=1      # ask for ECN on outgoing connections
inns s sysctl -qw net.ipv4.tcp_ecn=2      # accept it when asked (the default)
# the mark: a forwarded segment from the server whose payload starts with "MARK" and whose IP header
# says ECN-capable (ECT) gets CE instead
inns r nft -f - <<NFT
table inet marker {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip saddr $SRV tcp sport $PORT @nh,14,2 != 0 @ih,0,32 0x4d41524b counter ip ecn set ce
  }
}
NFT
cat > "$W/server.py" <<PY
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("$SRV", $PORT)); s.listen(1)
c, _ = s.accept()
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
c.recv(100)
for i in range(5):
    head = b"MARK" if i == 2 else b"DATA"
    c.sendall(head + (b"%d" % i) * 396)
    time.sleep(0.05)
c.close()
PY
cat > "$W/client.py" <<PY
import socket
c = socket.create_connection(("$SRV", $PORT))
c.sendall(b"send me five\n")
n = 0
while True:
    d = c.recv(65536)
    if not d:
        break
    n += len(d)
c.close()
print(n)
PY
ccb_bg s "$W/server.log" "" python3 "$W/server.py"
sleep 0.3
ccb_capture c c0 cap.pcap "tcp port $PORT"
inns c python3 "$W/client.py" > "$W/client.out"
ccb_capture_stop 0.3
inns r nft list ruleset | grep -q 'counter packets 1 ' || { echo "$CASE: the router marked no segment" >&2; exit 1; }
grep -qx 2000 "$W/client.out" || { echo "$CASE: client got $(cat "$W/client.out") bytes" >&2; exit 1; }
tshark -r "$HERE/capture.pcap" -T fields -e frame.number -e ip.dsfield.ecn -e tcp.flags.str -e tcp.len 2>/dev/null
ccb_done "$(tshark -r "$HERE/capture.pcap" 2>/dev/null | wc -l)"
