#!/usr/bin/env bash
# cases/pmtu-blackhole/make.sh: makes cases/pmtu-blackhole/capture.pcap
#   A path-MTU black hole: the link from the router to the client has an MTU of 1400, the two
#   hosts have 1500 and agree on MSS 1460. The server's full-sized segments (1500-byte packets,
#   Don't Fragment set, as Linux sends TCP) cannot be forwarded; the router would answer
#   "fragmentation needed" (ICMP type 3 code 4, RFC 1191), but nftables in the router drops
#   those ICMP messages, as a badly configured firewall does. The small request and the
#   handshake pass; the server's answer (two full segments) never arrives, and the server
#   retransmits it with a doubling timeout. The client gives up after 4 s and closes.
#     [ccb-pmtu-blackhole-c] c0 10.78.40.1 --- r0 (mtu 1400) [..-r] r1 --- s0 10.78.41.2 [..-s]
#   Capture on s0 (the server's interface, where the retransmissions are seen).
# Needs: root; Debian packages iproute2, nftables, tcpdump, tshark, ethtool, python3.
set -euo pipefail
CASE=pmtu-blackhole
HERE=$(cd "$(dirname "$0")" && pwd)
CLI=10.78.40.1 SRV=10.78.41.2 PORT=7400
# shellcheck source-path=SCRIPTDIR source=../lib-ccb.sh
. "$HERE/../lib-ccb.sh"
ccb_need ip:iproute2 nft:nftables tcpdump:tcpdump tshark:tshark ethtool:ethtool python3:python3

ccb_routed 10.78.40.254 10.78.41.254
ip -n "$P-r" link set r0 mtu 1400
inns s sysctl -qw net.ipv4.tcp_mtu_probing=0     # Linux's default: no black-hole detection
inns r nft -f - <<NFT
table inet blackhole {
  chain out {
    type filter hook output priority 0; policy accept;
    icmp type destination-unreachable icmp code frag-needed counter drop
  }
}
NFT
cat > "$W/server.py" <<PY
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("$SRV", $PORT)); s.listen(1)
c, _ = s.accept()
c.recv(100)
c.sendall(b"R" * 2896)      # two full-sized segments: 1500-byte packets
c.recv(100)                 # the client's FIN
c.close()
PY
cat > "$W/client.py" <<PY
import socket
c = socket.create_connection(("$SRV", $PORT))
c.settimeout(4)
c.sendall(b"send the report\n")
try:
    print(len(c.recv(65536)))
except socket.timeout:
    print("timeout")
c.close()
PY
ccb_bg s "$W/server.log" "" python3 "$W/server.py"
sleep 0.3
ccb_capture s s0 cap.pcap "tcp port $PORT or icmp"
inns c python3 "$W/client.py" | tee "$W/client.out"
ccb_capture_stop 3.5
grep -qx timeout "$W/client.out" || { echo "$CASE: the answer got through" >&2; exit 1; }
inns r nft list ruleset | grep -Eq 'counter packets [1-9]' || { echo "$CASE: no frag-needed was dropped" >&2; exit 1; }
tshark -r "$HERE/capture.pcap" 2>/dev/null
ccb_done "$(tshark -r "$HERE/capture.pcap" 2>/dev/null | wc -l)"
