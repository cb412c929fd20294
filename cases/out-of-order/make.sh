#!/usr/bin/env bash
# cases/out-of-order/make.sh: makes cases/out-of-order/capture.pcap
#   Reordering: a server sends 120000 bytes to a client through a router namespace whose link towards
#   the client is a 20 Mbit/s HTB class with a queue. Three chosen data segments (payload starting with
#   the marker "FAST") are given by nftables the priority of a second, higher-priority HTB
#   class with an empty queue, so they overtake the segments queued before them. Nothing is lost.
#   The client (receiver) sees segments out of order and sends duplicate ACKs with SACK blocks; the
#   capture shows how the Linux sender reacts (spurious retransmission, D-SACK, adapting).
#   (This kernel has no sch_netem; HTB + nftables marks is what it offers, as bench/make-bench-pcap.sh.)
#   Real Linux stacks in three network namespaces:
#     [ccb-out-of-order-c] c0 10.78.5.1 --- r0 [..-r] r1 --- s0 10.78.15.2 [..-s]
#   Capture on c0 (the receiver's interface); a second capture on s0 (not kept) is printed.
# Needs: root; Debian packages iproute2, nftables, tcpdump, tshark, ethtool, python3.
# Re-runnable: deletes its namespaces on exit; exits non-zero if the capture does not show the story.
set -euo pipefail
CASE=out-of-order
HERE=$(cd "$(dirname "$0")" && pwd)
CLI=10.78.5.1 SRV=10.78.15.2 PORT=7070 SIZE=120000 MARKS="20 45 70"

# shellcheck source-path=SCRIPTDIR source=../lib-ccb.sh
. "$HERE/../lib-ccb.sh"    # P=ccb-$CASE, work dir W, PIDS, inns, cleanup on exit
ccb_need ip:iproute2 nft:nftables tcpdump:tcpdump tshark:tshark ethtool:ethtool python3:python3

# ---- network: client -- router -- server, no IPv6, offloads off
ccb_routed 10.78.5.254 10.78.15.254
# towards the client: HTB class 1:10 (20 Mbit/s, a queue) for everything, class 1:20 (higher priority,
# its own empty queue) for packets whose skb priority nftables set to 1:20 (HTB classifies by priority)
inns r tc qdisc add dev r0 root handle 1: htb default 10
inns r tc class add dev r0 parent 1: classid 1:1 htb rate 100mbit ceil 100mbit quantum 1514
inns r tc class add dev r0 parent 1:1 classid 1:10 htb rate 20mbit ceil 20mbit prio 1 quantum 1514
inns r tc class add dev r0 parent 1:1 classid 1:20 htb rate 80mbit ceil 100mbit prio 0 quantum 1514
inns r tc qdisc add dev r0 parent 1:10 handle 10: pfifo limit 1000
inns r tc qdisc add dev r0 parent 1:20 handle 20: pfifo limit 100
# nftables picks the segments whose payload starts with "FAST" (the first time they pass only)
inns r nft -f - <<NFT
table inet reorder {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip saddr $SRV tcp sport $PORT @ih,0,32 0x46415354 numgen inc mod 1000 < 3 counter meta priority set 1:20
  }
}
NFT

# ---- capture on the receiver
ccb_capture c c0 cap.pcap "tcp port $PORT"
ccb_capture s s0 srv.pcap "tcp port $PORT"

# ---- the story: the client connects and reads SIZE bytes; the server sends them with one sendall()
# The data is made of 1448-byte blocks (one full segment each, MSS 1460 - 12 bytes of timestamps),
# each starting with a 4-byte tag; the blocks numbered in MARKS start with "FAST".
cat > "$W/server.py" <<'PY'
import socket, sys, time
port, size, marks = int(sys.argv[1]), int(sys.argv[2]), [int(x) for x in sys.argv[3].split()]
blocks = []
for k in range((size + 1447) // 1448):
    tag = b"FAST" if k in marks else b"b%03d" % (k % 1000)
    blocks.append(tag + bytes([97 + k % 26]) * 1444)
data = b"".join(blocks)[:size]
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", port)); l.listen(1)
print("server: listening", flush=True)
c, _ = l.accept()
c.sendall(data)
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
ccb_bg s "$W/server.out" listening python3 "$W/server.py" $PORT $SIZE "$MARKS"
SP=$CCB_BG
inns c python3 "$W/client.py" $SRV $PORT
wait $SP || true
for n in c s; do
    echo "nstat $n: $(inns $n nstat -az 2>/dev/null | awk '$2 > 0 && $1 ~ /Retrans|Loss|SACK|Recovery|Timeout|Reorder|OFO|DSACK|FastRetrans|SlowStartRetrans|RTO|Probe/ {printf "%s=%s ", $1, $2}')"
done
inns r nft list ruleset | grep -o 'counter packets [0-9]*' | sed 's/^/router marks: /'

ccb_capture_stop 0.5
echo "server's view (capture on s0, not kept): segments sent more than once, and the dup ACKs it received"
tshark -r "$W/srv.pcap" -Y 'tcp.analysis.retransmission || tcp.analysis.duplicate_ack || (tcp.seq_raw && tcp.len > 0 && tcp.len < 1448)' \
    -T fields -e frame.time_epoch -e ip.src -e tcp.seq -e tcp.len -e tcp.analysis.duplicate_ack_num -e _ws.expert.message 2>/dev/null |
    awk -v t0="$(tshark -r "$W/cap.pcap" -c1 -T fields -e frame.time_epoch)" -F'\t' '{ printf "  t=%.6f %s seq %s len %s dup#%s %s\n", $1 - t0, $2, $3, $4, $5, $6 }' |
    awk '!/Duplicate ACK \(#([4-9]|[1-9][0-9])\)/' 

# ---- check the story (in the receiver's capture)
F="$HERE/capture.pcap"
tshark -r "$F" -T fields -e frame.number -e frame.time_relative -e ip.src -e tcp.flags.str -e tcp.seq -e tcp.ack -e tcp.len \
    -e tcp.options.sack_le -e tcp.options.sack_re -e _ws.expert.message | grep -E -C3 'Dup|etrans|Out-Of|Previous|D-SACK' || true
count() { tshark -r "$F" -Y "$1" | wc -l; }
n=$(tshark -r "$F" | wc -l); size=$(stat -c %s "$F")
ooo=$(count 'tcp.analysis.out_of_order || (tcp.analysis.retransmission && ip.src==10.78.15.2)')
early=$(count 'tcp.analysis.lost_segment')
dup=$(count 'tcp.analysis.duplicate_ack && tcp.options.sack_le && ip.src==10.78.5.1')
marked=$(tshark -r "$F" -Y 'ip.src==10.78.15.2 && tcp.payload[0:4] == "FAST"' -T fields -e frame.number | paste -sd,)
echo "packets $n ($size bytes), early (overtaking) segments $early, late segments flagged $ooo, dup ACKs with SACK $dup; FAST segments in frames $marked"
[ "$early" -ge 3 ] && [ "$dup" -ge 3 ] || { echo "$CASE: no reordering visible" >&2; exit 1; }
inns r nft list ruleset | grep -q 'counter packets 3 ' || { echo "$CASE: expected 3 marked segments" >&2; exit 1; }
ccb_done 168    # lesson.md numbers the 168 packets of the shipped capture
