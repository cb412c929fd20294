#!/usr/bin/env bash
# cases/time-wait-reuse/make.sh: makes cases/time-wait-reuse/capture.pcap
#   TIME_WAIT and reusing the same source port. A client binds source port 40000 (SO_REUSEADDR) and
#   connects to the same server port three times in a row, then once more from port 40001 without
#   TCP timestamps:
#     A: the client closes first, so the client holds TIME_WAIT.
#     B: 50 ms later the client reconnects from port 40000. Because the port was bound explicitly and the
#        old connection used timestamps, Linux lets the new connection take over the client's own
#        TIME_WAIT entry at once (its ISN is the old connection's next sequence number + 65537; the
#        tcp_tw_reuse sysctl and its 1 s delay apply only to automatically chosen ports). This time the
#        server closes first, so the server holds TIME_WAIT.
#     C: the client reconnects at once; the SYN arrives at the server's TIME_WAIT entry, which accepts it
#        as a new connection because its sequence number and timestamp are newer than the old ones.
#     D: with net.ipv4.tcp_timestamps=0 in the client namespace, a connection from port 40001 closed by
#        the client; the immediate reconnect from 40001 fails in the client's kernel with EADDRNOTAVAIL
#        (no packet is sent): without timestamps Linux will not reuse a TIME_WAIT entry.
#   Real Linux stacks in two network namespaces (ccb-time-wait-reuse-c, ccb-time-wait-reuse-s) joined by a
#   veth pair, 10.78.7.1 (client) <-> 10.78.7.2 (server). Capture on the client.
# Needs: root; Debian packages iproute2, tcpdump, tshark, ethtool, python3.
# Re-runnable: deletes its namespaces on exit; exits non-zero if the capture does not show the story.
set -euo pipefail
CASE=time-wait-reuse
HERE=$(cd "$(dirname "$0")" && pwd)
CLI=10.78.7.1 SRV=10.78.7.2 PORT=7070

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
for name in "ABCD":
    c, peer = l.accept()
    line = c.recv(100)
    c.sendall(b"hi " + line)
    if name == "B":
        c.close()                       # B: the server closes first
        continue
    while c.recv(100): pass             # A, C, D: wait for the client's FIN, then close
    c.close()
PY
cat > "$W/client.py" <<'PY'
import socket, subprocess, sys, time
host, port, srvns = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def tw(ns=None):
    cmd = ["ss", "-Htan", "state", "time-wait"]
    if ns: cmd = ["ip", "netns", "exec", ns] + cmd
    out = subprocess.run(cmd, capture_output=True, text=True).stdout.split("\n")
    return " | ".join(" ".join(l.split()[2:]) for l in out if l.strip()) or "none"
def conn(name, sport, server_closes=False):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", sport))
    try:
        s.connect((host, port))
    except OSError as e:
        print("%s: connect from port %d failed: %s (nothing was sent)" % (name, sport, e), flush=True)
        s.close(); return
    s.sendall(name.encode() + b"\n"); s.recv(100)
    if server_closes:
        while s.recv(100): pass         # wait for the server's FIN
    s.close()
    time.sleep(0.05)
    print("%s: done, %s closed first. TIME_WAIT in client: %s; in server: %s" %
          (name, "server" if server_closes else "client", tw(), tw(srvns)), flush=True)
conn("A", 40000)
conn("B", 40000, server_closes=True)
conn("C", 40000)
with open("/proc/sys/net/ipv4/tcp_timestamps", "w") as f: f.write("0")
print("client namespace: net.ipv4.tcp_timestamps=0", flush=True)
conn("D", 40001)
conn("D again", 40001)
PY
ccb_bg s "$W/server.out" listening python3 "$W/server.py" $PORT
SP=$CCB_BG
inns c python3 "$W/client.py" $SRV $PORT "$P-s" | tee "$W/client.out"
wait $SP || true

ccb_capture_stop 0.5

# ---- check the story
F="$HERE/capture.pcap"
tshark -r "$F" -T fields -e frame.number -e frame.time_relative -e tcp.stream -e ip.src -e tcp.srcport -e tcp.flags.str -e tcp.seq_raw -e tcp.ack_raw -e tcp.len -e tcp.options.timestamp.tsval -e _ws.expert.message
syns=$(tshark -r "$F" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' -T fields -e tcp.srcport -e tcp.seq_raw -e tcp.options.timestamp.tsecr)
echo "SYNs (port, raw ISN):"; echo "$syns"
nsyn=$(echo "$syns" | wc -l); ports=$(echo "$syns" | cut -f1 | sort -u | paste -sd,)
# the ISN of B must be A's FIN sequence + 1 (its snd_nxt) + 65537
finA=$(tshark -r "$F" -Y 'tcp.stream==0 && tcp.flags.fin==1 && ip.src==10.78.7.1' -T fields -e tcp.seq_raw)
isnB=$(echo "$syns" | sed -n 2p | cut -f2)
echo "A's client FIN seq $finA; B's ISN $isnB; difference $(( isnB - finA ))"
grep -q 'D again: connect from port 40001 failed' "$W/client.out" || { echo "$CASE: the reconnect without timestamps did not fail" >&2; exit 1; }
grep -q 'A: done, client closed first. TIME_WAIT in client: 10.78.7.1:40000' "$W/client.out" &&
grep -q 'B: done, server closed first. TIME_WAIT in client: none; in server: 10.78.7.2:7070 10.78.7.1:40000' "$W/client.out" ||
    { echo "$CASE: TIME_WAIT not where expected" >&2; exit 1; }
[ "$nsyn" = 4 ] && [ "$ports" = 40000,40001 ] || { echo "$CASE: expected four SYNs from ports 40000 (3) and 40001 (1)" >&2; exit 1; }
[ $(( isnB - finA )) = 65538 ] || { echo "$CASE: B's ISN is not A's snd_nxt + 65537" >&2; exit 1; }
[ "$(tshark -r "$F" -Y 'tcp.flags.syn==1 && tcp.flags.ack==1' | wc -l)" = 4 ] || { echo "$CASE: expected four SYN+ACKs" >&2; exit 1; }
[ "$(tshark -r "$F" -Y 'tcp.flags.reset==1' | wc -l)" = 0 ] || { echo "$CASE: unexpected RST" >&2; exit 1; }
ccb_done 40    # lesson.md numbers the 40 packets of the shipped capture
