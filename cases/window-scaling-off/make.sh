#!/usr/bin/env bash
# cases/window-scaling-off/make.sh: makes cases/window-scaling-off/capture.pcap
#   The same 400000-byte download twice over a path with a 100 ms round trip (a user-space delay
#   line, delay.py, 50 ms each way, in a router namespace between client and server):
#     connection 0: the client has net.ipv4.tcp_window_scaling=0, so its SYN has no window scale
#                   option and its window can never exceed 65535 bytes: at most 64 KB per round
#                   trip, whatever the link could carry (about 640 kB/s here);
#     connection 1: scaling on (the default): the window grows past 64 KB, the transfer is faster.
#   Both start with slow start (an initial window of 10 segments, doubling each round trip).
#   The capture (on the client's c0, snap length 96: headers only, the payload does not matter)
#   shows the flights of each round trip.
#     [ccb-window-scaling-off-c] c0 10.78.30.1 --- r0 [..-r: delay.py] r1 --- s0 10.78.30.2 [..-s]
# Needs: root; Debian packages iproute2, tcpdump, tshark, ethtool, python3.
set -euo pipefail
CASE=window-scaling-off
HERE=$(cd "$(dirname "$0")" && pwd)
CLI=10.78.30.1 SRV=10.78.30.2 PORT=7300 SIZE=400000
# shellcheck source-path=SCRIPTDIR source=../lib-ccb.sh
. "$HERE/../lib-ccb.sh"
ccb_need ip:iproute2 tcpdump:tcpdump tshark:tshark ethtool:ethtool python3:python3

ccb_netns c r s
ccb_veth c0 c r0 r
ccb_veth s0 s r1 r
ip -n "$P-c" link set c0 address 02:78:30:00:00:01
ip -n "$P-s" link set s0 address 02:78:30:00:00:02
ip -n "$P-c" addr add $CLI/24 dev c0
ip -n "$P-s" addr add $SRV/24 dev s0
ccb_ifup "c c0" "r r0" "r r1" "s s0"
ip -n "$P-c" neigh replace $SRV lladdr 02:78:30:00:00:02 dev c0 nud permanent
ip -n "$P-s" neigh replace $CLI lladdr 02:78:30:00:00:01 dev s0 nud permanent
ccb_bg r "$W/delay.log" "delay ready" python3 "$HERE/delay.py" r0 r1 50

cat > "$W/server.py" <<PY
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("$SRV", $PORT)); s.listen(4)
for _ in range(2):
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
ip netns exec "$P-c" tcpdump -i c0 -s 96 -U --immediate-mode -Z root -w "$W/cap.pcap" "tcp port $PORT" 2> "$W/cap.err" &
CCB_CAPS+=("$!"); PIDS+=("$!")
for _ in $(seq 50); do grep -qs 'listening on' "$W/cap.err" && break; sleep 0.1; done
inns c sysctl -qw net.ipv4.tcp_window_scaling=0
inns c python3 "$W/client.py" | tee "$W/off.txt"
sleep 0.5
inns c sysctl -qw net.ipv4.tcp_window_scaling=1
inns c python3 "$W/client.py" | tee "$W/on.txt"
ccb_capture_stop 0.3
read -r n0 t0 < "$W/off.txt"; read -r n1 t1 < "$W/on.txt"
[ "$n0" = $SIZE ] && [ "$n1" = $SIZE ] || { echo "$CASE: short transfer" >&2; exit 1; }
python3 -c "import sys; sys.exit(0 if $t0 > 1.3 * $t1 else 1)" || { echo "$CASE: scaling off was not slower ($t0 s vs $t1 s)" >&2; exit 1; }
echo "scaling off: $t0 s, on: $t1 s"
ccb_done "$(tshark -r "$HERE/capture.pcap" 2>/dev/null | wc -l)"
