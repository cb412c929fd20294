#!/usr/bin/env bash
# cases/loss-fast-retransmit/make.sh: makes cases/loss-fast-retransmit/capture.pcap
#   A server sends 200000 bytes to a client through a router namespace (20 Mbit/s HTB bottleneck
#   towards the client; the client's SO_RCVBUF 16384 keeps ~13 segments in flight). nftables in the
#   router drops two chosen data segments (recognised by a 4-byte marker at the start of the payload):
#     "LOSS" (bytes 57921-59368) once: the client sends duplicate ACKs with SACK blocks and the server
#            fast-retransmits it;
#     "TAIL" (the last 176 bytes) twice, the original and the tail loss probe: no later data follows to
#            cause dup ACKs, so only the retransmission timeout (RTO) repairs it.
#   The capture on the client shows the hole, the dup ACKs, the fast retransmission and the RTO pause.
#   A second capture on the server's interface (not kept) is printed to show when the server sent what.
#   Real Linux stacks in three network namespaces:
#     [ccb-loss-fast-retransmit-c] c0 10.78.4.1 --- r0 [..-r] r1 --- s0 10.78.14.2 [..-s]
#   Capture on c0 (the receiver's interface, after the drop point).
# Needs: root; Debian packages iproute2, nftables, tcpdump, tshark, ethtool, python3.
# Re-runnable: deletes its namespaces on exit; exits non-zero if the capture does not show the story.
set -euo pipefail
CASE=loss-fast-retransmit
HERE=$(cd "$(dirname "$0")" && pwd)
CLI=10.78.4.1 SRV=10.78.14.2 PORT=7070 SIZE=200000 MARKBLOCK=40

# shellcheck source-path=SCRIPTDIR source=../lib-ccb.sh
. "$HERE/../lib-ccb.sh"    # P=ccb-$CASE, work dir W, PIDS, inns, cleanup on exit
ccb_need ip:iproute2 nft:nftables tcpdump:tcpdump tshark:tshark ethtool:ethtool python3:python3

# ---- network: client -- router -- server, no IPv6, offloads off
ccb_routed 10.78.4.254 10.78.14.254
# a 20 Mbit/s bottleneck towards the client (HTB, 1000-packet queue: no congestion drops), so segments
# arrive spaced out (0.6 ms each) as on a real path and the receiver's ACKs are readable one by one
inns r tc qdisc add dev r0 root handle 1: htb default 10
inns r tc class add dev r0 parent 1: classid 1:10 htb rate 20mbit ceil 20mbit quantum 1514
inns r tc qdisc add dev r0 parent 1:10 handle 10: pfifo limit 1000
# the loss: a forwarded TCP segment whose payload starts with "LOSS" is dropped the first time it passes,
# the one starting with "TAIL" (the last data segment) the first two times
inns r nft -f - <<NFT
table inet loss {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip saddr $SRV tcp sport $PORT @ih,0,32 0x4c4f5353 numgen inc mod 1000 < 1 counter drop
    ip saddr $SRV tcp sport $PORT @ih,0,32 0x5441494c numgen inc mod 1000 < 2 counter drop
  }
}
NFT

# ---- capture on the receiver
ccb_capture c c0 cap.pcap "tcp port $PORT"
ccb_capture s s0 srv.pcap "tcp port $PORT"

# ---- the story: the client connects and reads SIZE bytes; the server sends them with one sendall()
# The data is made of 1448-byte blocks (one full segment each, MSS 1460 - 12 bytes of timestamps),
# each starting with a 4-byte tag; block MARKBLOCK starts with "LOSS".
cat > "$W/server.py" <<'PY'
import socket, sys, time
port, size, mark = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
blocks = []
for k in range((size + 1447) // 1448):
    tag = b"LOSS" if k == mark else b"TAIL" if k == (size - 1) // 1448 else b"b%03d" % (k % 1000)
    blocks.append(tag + bytes([97 + k % 26]) * 1444)
data = b"".join(blocks)[:size]
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", port)); l.listen(1)
print("server: listening", flush=True)
c, _ = l.accept()
c.sendall(data)
time.sleep(1.0)          # the application closes a second later: the tail loss must be repaired first
c.shutdown(socket.SHUT_WR)
c.recv(1)
c.close()
PY
cat > "$W/client.py" <<'PY'
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)   # bounds the data in flight (receive window)
s.connect((host, port))
n = 0
while True:
    b = s.recv(65536)
    if not b: break
    n += len(b)
print("client: received %d bytes" % n, flush=True)
s.close()
PY
ccb_bg s "$W/server.out" listening python3 "$W/server.py" $PORT $SIZE $MARKBLOCK
SP=$CCB_BG
inns c python3 "$W/client.py" $SRV $PORT
wait $SP || true
for n in c s; do
    echo "nstat $n: $(inns $n nstat -az 2>/dev/null | awk '$2 > 0 && $1 ~ /Retrans|Loss|SACK|Recovery|Timeout|Reorder|OFO|DSACK|FastRetrans|SlowStartRetrans|RTO|Probe/ {printf "%s=%s ", $1, $2}')"
done
inns r nft list ruleset | grep -o 'counter packets [0-9]*' | sed 's/^/router drops: /'

ccb_capture_stop 0.5
echo "server's view (capture on s0, not kept): segments sent more than once, and the dup ACKs it received"
tshark -r "$W/srv.pcap" -Y 'tcp.analysis.retransmission || tcp.analysis.duplicate_ack || (tcp.seq_raw && tcp.len > 0 && tcp.len < 1448)' \
    -T fields -e frame.time_epoch -e ip.src -e tcp.seq -e tcp.len -e tcp.analysis.duplicate_ack_num -e _ws.expert.message 2>/dev/null |
    awk -v t0="$(tshark -r "$W/cap.pcap" -c1 -T fields -e frame.time_epoch)" -F'\t' '{ printf "  t=%.6f %s seq %s len %s dup#%s %s\n", $1 - t0, $2, $3, $4, $5, $6 }' |
    awk '!/Duplicate ACK \(#([4-9]|[1-9][0-9])\)/' 

# ---- check the story (in the receiver's capture)
F="$HERE/capture.pcap"
tshark -r "$F" -T fields -e frame.number -e frame.time_relative -e ip.src -e tcp.flags.str -e tcp.seq -e tcp.ack -e tcp.len \
    -e tcp.options.sack_le -e tcp.options.sack_re -e _ws.expert.message | grep -E -C2 'Dup|etrans|Out-Of|Previous' || true
count() { tshark -r "$F" -Y "$1" | wc -l; }
n=$(tshark -r "$F" | wc -l); size=$(stat -c %s "$F")
dup=$(count 'tcp.analysis.duplicate_ack && tcp.options.sack_le && ip.src==10.78.4.1')
fr=$(count 'tcp.analysis.fast_retransmission')
rt=$(count 'tcp.analysis.retransmission && ip.src==10.78.14.2')
lost=$(count 'tcp.analysis.lost_segment')
echo "packets $n ($size bytes), dup ACKs with SACK $dup, fast retransmissions $fr, retransmissions $rt, previous-segment-not-captured $lost"
gap=$(tshark -r "$F" -Y 'ip.src==10.78.14.2 && tcp.len == 176' -T fields -e frame.time_delta_displayed -e frame.time_relative | head -1)
echo "last data segment (176 bytes) arrives at t=$(echo "$gap" | cut -f2)"
[ "$lost" -ge 1 ] && [ "$dup" -ge 3 ] && [ "$fr" -ge 1 ] || { echo "$CASE: hole / dup ACKs / fast retransmission missing" >&2; exit 1; }
inns s nstat -az TcpExtTCPTimeouts TcpExtTCPLossProbes | awk '$2 > 0 {n++} END { exit n == 2 ? 0 : 1 }' ||
    { echo "$CASE: expected one tail loss probe and one RTO on the server" >&2; exit 1; }
ccb_done 232    # lesson.md numbers the 232 packets of the shipped capture
