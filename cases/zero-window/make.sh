#!/usr/bin/env bash
# cases/zero-window/make.sh: makes cases/zero-window/capture.pcap
#   A client uploads 100000 bytes to a server that does not read for 3.5 s. The server socket has a
#   small receive buffer (SO_RCVBUF 4096), the client a small send buffer (SO_SNDBUF 4096), so the
#   receive window fills after a few segments: the server advertises a zero window, the client's
#   kernel sends zero-window probes with a doubling interval, the server ACKs each probe (window
#   still 0); then the server reads again, a window update opens the flow and the rest arrives.
#   Real Linux stacks in two network namespaces (ccb-zero-window-c, ccb-zero-window-s) joined by a
#   veth pair, 10.78.3.1 (client, sender) <-> 10.78.3.2 (server, receiver).
#   Capture on the server's (receiver's) interface.
# Needs: root; Debian packages iproute2, tcpdump, tshark, ethtool, python3.
# Re-runnable: deletes its namespaces on exit; exits non-zero if the capture does not show the story.
set -euo pipefail
CASE=zero-window
HERE=$(cd "$(dirname "$0")" && pwd)
CLI=10.78.3.1 SRV=10.78.3.2 PORT=7070

# shellcheck source-path=SCRIPTDIR source=../lib-ccb.sh
. "$HERE/../lib-ccb.sh"    # P=ccb-$CASE, work dir W, PIDS, inns, cleanup on exit
ccb_need ip:iproute2 tcpdump:tcpdump tshark:tshark ethtool:ethtool python3:python3

# ---- network: two namespaces, one veth pair, no IPv6 (no router solicitations), offloads off
ccb_two_hosts

# ---- capture
ccb_capture s s0 cap.pcap "tcp and host $SRV"

# ---- the story: the server accepts, reads nothing for 3.5 s, then reads everything
cat > "$W/server.py" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)   # inherited by the accepted socket
l.bind(("0.0.0.0", port)); l.listen(1)
print("server: listening", flush=True)
c, _ = l.accept()
time.sleep(3.5)                                   # the application is busy: nothing is read
n = 0
while True:
    b = c.recv(65536)
    if not b: break
    n += len(b)
print("server: read %d bytes" % n, flush=True)
c.close()
PY
cat > "$W/client.py" <<'PY'
import socket, sys, time
host, port, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
s.connect((host, port))
t0 = time.monotonic()
s.sendall(bytes(i % 251 for i in range(size)))    # blocks while the window is closed
print("client: sendall(%d) returned after %.2f s" % (size, time.monotonic() - t0), flush=True)
s.shutdown(socket.SHUT_WR)
s.recv(1)                                         # wait for the server's FIN
s.close()
PY
ccb_bg s "$W/server.out" listening python3 "$W/server.py" $PORT
SP=$CCB_BG
inns c python3 "$W/client.py" $SRV $PORT 100000
wait $SP; cat "$W/server.out"
# kernel counters behind the story (per namespace)
for n in c s; do
    echo "nstat $n: $(inns $n nstat -az 2>/dev/null | awk '$2 > 0 && $1 ~ /LossProbe|DSACK|RcvQDrop|ZeroWindow|WinProbe|DelayedACK|OutOfWindow|Pruned|RcvCollapsed|OFOQueue|TCPRetransFail|RetransSegs|TCPTimeouts|ACKSkipped|WantZeroWindowAdv|ToZeroWindowAdv|FromZeroWindowAdv/ {printf "%s=%s ", $1, $2}')"
done

ccb_capture_stop 0.5

# ---- check the story
F="$HERE/capture.pcap"
tshark -r "$F" -T fields -e frame.number -e frame.time_relative -e ip.src -e tcp.flags.str -e tcp.seq -e tcp.ack -e tcp.len -e tcp.window_size -e tcp.analysis.flags -e _ws.expert.message |
    awk -F'\t' 'NR <= 40 || /Zero|Update|Keep|FIN|F·/' | awk '!seen[$1]++'
count() { tshark -r "$F" -Y "$1" | wc -l; }
n=$(tshark -r "$F" | wc -l); zw=$(count 'tcp.analysis.zero_window && ip.src==10.78.3.2')
probes=$(count 'ip.src==10.78.3.1 && (tcp.analysis.keep_alive || tcp.analysis.zero_window_probe)')
upd=$(count 'tcp.analysis.window_update && ip.src==10.78.3.2')
size=$(stat -c %s "$F")
echo "packets $n ($size bytes), zero-window ACKs from the receiver $zw, probes $probes, window updates $upd"
[ "$zw" -ge 3 ] && [ "$probes" -ge 3 ] && [ "$upd" -ge 1 ] || { echo "$CASE: zero window / probes / update missing" >&2; exit 1; }
ccb_done 128    # lesson.md numbers the 128 packets of the shipped capture
