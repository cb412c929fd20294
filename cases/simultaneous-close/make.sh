#!/usr/bin/env bash
# cases/simultaneous-close/make.sh: makes cases/simultaneous-close/capture.pcap
#   Simultaneous close: after a short exchange, client and server both call close() at the same agreed
#   instant. The path has a 20 ms one-way delay, so each FIN is on its way before the other arrives:
#   both sides go FIN_WAIT_1 -> CLOSING -> TIME_WAIT, and both end up holding TIME_WAIT.
#   Real Linux stacks in network namespaces; the "wire" in between is a small Python program in its
#   own namespace that copies Ethernet frames between two veths (AF_PACKET) after a 20 ms delay
#   (this kernel has no sch_netem, and HTB cannot delay a lone packet):
#     [ccb-simultaneous-close-c] c0 10.78.8.1 --- r0 [..-w: wire.py, 20 ms each way] r1 --- s0 10.78.8.2 [..-s]
#   Capture on c0 (the client's interface); a second capture on s0 (not kept) checks the server's view.
# Needs: root; Debian packages iproute2, tcpdump, tshark, ethtool, python3.
# Re-runnable: deletes its namespaces on exit; exits non-zero if the capture does not show the story.
set -euo pipefail
CASE=simultaneous-close
HERE=$(cd "$(dirname "$0")" && pwd)
CLI=10.78.8.1 SRV=10.78.8.2 PORT=7070 DELAY_MS=20

# shellcheck source-path=SCRIPTDIR source=../lib-ccb.sh
. "$HERE/../lib-ccb.sh"    # P=ccb-$CASE, work dir W, PIDS, inns, cleanup on exit
ccb_need ip:iproute2 tcpdump:tcpdump tshark:tshark ethtool:ethtool python3:python3

# ---- network: client -- wire -- server (one IP subnet; the wire has no address), no IPv6, offloads off
ccb_netns c w s
ccb_veth c0 c r0 w
ccb_veth s0 s r1 w
ip -n "$P-c" addr add $CLI/24 dev c0
ip -n "$P-s" addr add $SRV/24 dev s0
ccb_ifup "c c0" "w r0" "w r1" "s s0"

# ---- the wire: copy every frame from r0 to r1 and back, DELAY_MS later, in order
cat > "$W/wire.py" <<'PY'
import socket, select, sys, time, heapq
a, b, delay = sys.argv[1], sys.argv[2], float(sys.argv[3]) / 1000
ETH_P_ALL, PACKET_OUTGOING = 3, 4
socks = {}
for ifname in (a, b):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    socks[ifname] = s
peer = {socks[a]: socks[b], socks[b]: socks[a]}
queue, seq = [], 0
print("wire: up", flush=True)
while True:
    timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else None
    ready, _, _ = select.select(list(peer), [], [], timeout)
    for s in ready:
        frame, addr = s.recvfrom(65535)
        if addr[2] == PACKET_OUTGOING:        # our own transmissions on this port
            continue
        heapq.heappush(queue, (time.monotonic() + delay, seq, peer[s], frame)); seq += 1
    now = time.monotonic()
    while queue and queue[0][0] <= now:
        _, _, out, frame = heapq.heappop(queue)
        out.send(frame)
PY
ccb_bg w "$W/wire.out" "wire: up" python3 "$W/wire.py" r0 r1 $DELAY_MS

# ---- captures: c0 (kept) and s0 (check only)
ccb_capture c c0 cap.pcap "tcp port $PORT"
ccb_capture s s0 srv.pcap "tcp port $PORT"

# ---- the story: a greeting each way, then both close() at the same wall-clock instant
cat > "$W/peer.py" <<'PY'
import socket, sys, time
role, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if role == "server":
    l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("0.0.0.0", port)); l.listen(1)
    print("server: listening", flush=True)
    c, _ = l.accept()
    msg = c.recv(100)                          # "bye at <epoch>\n"
    at = float(msg.split()[2])
    c.sendall(b"ok, bye at %.3f\n" % at)
else:
    c = socket.create_connection((host, port))
    at = time.time() + 0.5                     # the agreed instant, half a second from now
    c.sendall(b"bye at %.3f\n" % at)
    c.recv(100)
time.sleep(max(0.0, at - time.time()))
c.close()                                      # both sides: FIN at the same moment
print("%s: closed at %.6f (agreed %.3f)" % (role, time.time(), at), flush=True)
time.sleep(0.3)
PY
ccb_bg s "$W/server.out" listening python3 "$W/peer.py" server 0 $PORT
SP=$CCB_BG
inns c python3 "$W/peer.py" client $SRV $PORT &
CP=$!
wait $CP; wait $SP || true; cat "$W/server.out"
echo "TIME_WAIT sockets after both programs exited:"
tw_c=$(inns c ss -Htan state time-wait | wc -l); tw_s=$(inns s ss -Htan state time-wait | wc -l)
echo "  client namespace: $tw_c  $(inns c ss -Htan state time-wait | tr -s ' ')"
echo "  server namespace: $tw_s  $(inns s ss -Htan state time-wait | tr -s ' ')"

ccb_capture_stop 0.3

# ---- check the story
F="$HERE/capture.pcap"
fields=(-T fields -e frame.number -e frame.time_relative -e ip.src -e tcp.flags.str -e tcp.seq -e tcp.ack -e tcp.len -e _ws.expert.message)
tshark -r "$F" "${fields[@]}"
echo "server's view (capture on s0, not kept):"
tshark -r "$W/srv.pcap" "${fields[@]}" | tail -4
# in both captures: the local FIN leaves before the peer's FIN arrives
order() {   # order PCAP LOCALIP -> "out-first" if our FIN precedes the peer's
    tshark -r "$1" -Y 'tcp.flags.fin==1' -T fields -e ip.src | head -2 | paste -sd' ' |
        awk -v me="$2" '{ print ($1 == me && $2 != me) ? "out-first" : "in-first" }'
}
oc=$(order "$F" $CLI); os=$(order "$W/srv.pcap" $SRV)
# each FIN acknowledges only the peer's data, not the peer's FIN
read -r cfin_seq cfin_ack < <(tshark -r "$F" -Y "tcp.flags.fin==1 && ip.src==$CLI" -T fields -e tcp.seq -e tcp.ack)
read -r sfin_seq sfin_ack < <(tshark -r "$F" -Y "tcp.flags.fin==1 && ip.src==$SRV" -T fields -e tcp.seq -e tcp.ack)
echo "client FIN seq $cfin_seq ack $cfin_ack; server FIN seq $sfin_seq ack $sfin_ack; order at client: $oc, at server: $os"
[ "$oc" = out-first ] && [ "$os" = out-first ] || { echo "$CASE: the FINs did not cross" >&2; exit 1; }
[ "$sfin_ack" = "$cfin_seq" ] && [ "$cfin_ack" = "$sfin_seq" ] || { echo "$CASE: a FIN acknowledges the other FIN" >&2; exit 1; }
[ "$tw_c" -ge 1 ] && [ "$tw_s" -ge 1 ] || { echo "$CASE: expected TIME_WAIT on both sides" >&2; exit 1; }
ccb_done 11    # lesson.md numbers the 11 packets of the shipped capture
