#!/usr/bin/env bash
# cases/slow-start-congestion-avoidance/make.sh: makes cases/slow-start-congestion-avoidance/capture.pcap
#   A 1 MB download over a path with a 40 ms round trip and a 5 Mbit/s bottleneck with a small
#   buffer, the sender using Reno congestion control (the textbook's: slow start, then one
#   segment more per round trip):
#     - slow start: the sender's bytes in flight double every round trip from the initial
#       window of 10 segments, until they pass what the path holds (its bandwidth-delay
#       product, 25 kB, plus the bottleneck's queue of 12 packets);
#     - the queue overflows, segments are lost, duplicate ACKs with SACK blocks come back and
#       the sender retransmits (fast retransmit) and halves its window;
#     - congestion avoidance: from there the window grows by about one segment per round trip.
#   The path: a router namespace with a user-space delay line (../window-scaling-off/delay.py,
#   20 ms each way: no sch_netem in Debian's kernels here) whose frames towards the client leave
#   through a tc HTB class of 5 Mbit/s with a 12-packet pfifo (the bottleneck and its buffer).
#   Captured at the sender (the server's s0, snap length 96: headers only), so the bytes in
#   flight are what the sender's congestion window allows.
#     [ccb-slow-start-congestion-avoidance-c] c0 10.78.62.1 --- r0 [..-r: delay, HTB on r0] r1 --- s0 10.78.62.2 [..-s]
# Needs: root; Debian packages iproute2, tcpdump, tshark, ethtool, python3.
set -euo pipefail
CASE=slow-start-congestion-avoidance
HERE=$(cd "$(dirname "$0")" && pwd)
CLI=10.78.62.1 SRV=10.78.62.2 PORT=7600 SIZE=1000000
# shellcheck source-path=SCRIPTDIR source=../lib-ccb.sh
. "$HERE/../lib-ccb.sh"
ccb_need ip:iproute2 tcpdump:tcpdump tshark:tshark ethtool:ethtool python3:python3

ccb_netns c r s
ccb_veth c0 c r0 r
ccb_veth s0 s r1 r
ip -n "$P-c" link set c0 address 02:78:62:00:00:01
ip -n "$P-s" link set s0 address 02:78:62:00:00:02
ip -n "$P-c" addr add $CLI/24 dev c0
ip -n "$P-s" addr add $SRV/24 dev s0
ccb_ifup "c c0" "r r0" "r r1" "s s0"
ip -n "$P-c" neigh replace $SRV lladdr 02:78:62:00:00:02 dev c0 nud permanent
ip -n "$P-s" neigh replace $CLI lladdr 02:78:62:00:00:01 dev s0 nud permanent
# the bottleneck: everything towards the client leaves r0 at 5 Mbit/s through a 12-packet queue
inns r tc qdisc add dev r0 root handle 1: htb default 10
inns r tc class add dev r0 parent 1: classid 1:10 htb rate 5mbit ceil 5mbit burst 3000 cburst 3000
inns r tc qdisc add dev r0 parent 1:10 handle 10: pfifo limit 12
ccb_bg r "$W/delay.log" "delay ready" python3 "$HERE/../window-scaling-off/delay.py" r0 r1 20
inns s sysctl -qw net.ipv4.tcp_congestion_control=reno net.ipv4.tcp_no_metrics_save=1

cat > "$W/server.py" <<PY
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("$SRV", $PORT)); s.listen(1)
c, _ = s.accept()
c.recv(100)
c.sendall(b"x" * $SIZE)
c.shutdown(socket.SHUT_WR)
c.recv(100)
c.close()
PY
cat > "$W/client.py" <<PY
import socket, time
c = socket.create_connection(("$SRV", $PORT))
c.sendall(b"GET\n")
n, t0 = 0, time.monotonic()
while True:
    d = c.recv(65536)
    if not d:
        break
    n += len(d)
print(n, round(time.monotonic() - t0, 3))
c.close()
PY
ccb_bg s "$W/server.log" "" python3 "$W/server.py"
sleep 0.3
ip netns exec "$P-s" tcpdump -i s0 -s 96 -U --immediate-mode -Z root -w "$W/cap.pcap" "tcp port $PORT" 2> "$W/cap.err" &
CCB_CAPS+=("$!"); PIDS+=("$!")
for _ in $(seq 50); do grep -qs 'listening on' "$W/cap.err" && break; sleep 0.1; done
inns c python3 "$W/client.py" | tee "$W/got.txt"
ccb_capture_stop 0.5
inns r tc -s qdisc show dev r0 | grep -A2 pfifo
read -r n _ < "$W/got.txt"
[ "$n" = $SIZE ] || { echo "$CASE: short transfer ($n)" >&2; exit 1; }
chmod 644 "$HERE/capture.pcap"
retx=$(tshark -r "$HERE/capture.pcap" -Y tcp.analysis.fast_retransmission 2>/dev/null | wc -l)
[ "$retx" -ge 1 ] || { echo "$CASE: no fast retransmission: the queue never overflowed" >&2; exit 1; }
ccb_done "$(tshark -r "$HERE/capture.pcap" 2>/dev/null | wc -l)"
