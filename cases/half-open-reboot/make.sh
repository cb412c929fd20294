#!/usr/bin/env bash
# cases/half-open-reboot/make.sh: makes cases/half-open-reboot/capture.pcap
#   A half-open connection after a server "reboot". Client and server exchange a greeting and the
#   connection goes idle. Then the server host "crashes": an nftables rule in the server namespace drops
#   everything it sends (a dead host sends nothing), the connection is destroyed in the server's kernel
#   (ss -K; its RST is dropped by that rule), the server program is killed and started again with a fresh
#   listening socket, and the rule is removed: the server is "back up" with no memory of the connection.
#   The client, which noticed nothing, sends its next request on the old connection; the server's kernel
#   answers with RST; the client program gets ECONNRESET and connects again, which works.
#   Real Linux stacks in two network namespaces (ccb-half-open-reboot-c, ccb-half-open-reboot-s) joined by
#   a veth pair, 10.78.9.1 (client) <-> 10.78.9.2 (server). Capture on the client.
# Needs: root; Debian packages iproute2, nftables, tcpdump, tshark, ethtool, python3.
# Re-runnable: deletes its namespaces on exit; exits non-zero if the capture does not show the story.
set -euo pipefail
CASE=half-open-reboot
HERE=$(cd "$(dirname "$0")" && pwd)
CLI=10.78.9.1 SRV=10.78.9.2 PORT=7070

# shellcheck source-path=SCRIPTDIR source=../lib-ccb.sh
. "$HERE/../lib-ccb.sh"    # P=ccb-$CASE, work dir W, PIDS, inns, cleanup on exit
ccb_need ip:iproute2 nft:nftables tcpdump:tcpdump tshark:tshark ethtool:ethtool python3:python3

# ---- network: two namespaces, one veth pair, no IPv6 (no router solicitations), offloads off
ccb_two_hosts

# ---- capture
ccb_capture c c0 cap.pcap "tcp and host $SRV"

# ---- the story
cat > "$W/server.py" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", port)); l.listen(4)
print("server: listening", flush=True)
while True:
    c, peer = l.accept()
    line = c.recv(100)
    c.sendall(b"welcome, you said " + line)
    while True:
        b = c.recv(100)
        if not b: break
        c.sendall(b"echo " + b)
    c.close()
PY
cat > "$W/client.py" <<'PY'
import socket, sys, time
host, port, flag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
import os
s = socket.create_connection((host, port))
s.sendall(b"hello\n"); print("client: got %r" % s.recv(100), flush=True)
open(flag, "w").close()                        # tell the script: connected and idle
while os.path.exists(flag): time.sleep(0.05)   # idle while the server "reboots"
s.sendall(b"are you still there?\n")
try:
    print("client: got %r" % s.recv(100), flush=True)
except OSError as e:
    print("client: old connection: %s" % e, flush=True)
s.close()
s = socket.create_connection((host, port))     # the application reconnects
s.sendall(b"hello again\n"); print("client: new connection: got %r" % s.recv(100), flush=True)
s.close()
PY
start_server() {
    ccb_bg s "$W/server.out" listening python3 "$W/server.py" $PORT
    SP=$CCB_BG
}
start_server
inns c python3 "$W/client.py" $SRV $PORT "$W/idle" &
CP=$!
for i in $(seq 50); do [ -e "$W/idle" ] && break; sleep 0.1; done
sleep 1
echo "server crashes: its packets go nowhere, its kernel forgets the connection, the program dies"
inns s nft -f - <<'NFT'
table inet crash {
  chain output {
    type filter hook output priority 0; policy drop;
    counter
  }
}
NFT
inns s ss -tn state established
inns s ss -K -tn state established > /dev/null
kill $SP; wait $SP 2>/dev/null || true
echo "server namespace after the crash: $(inns s ss -Htan | wc -l) TCP sockets"
sleep 1
echo "server boots again: program restarted, packets flow again"
start_server
inns s nft list ruleset | grep -o 'counter packets [0-9]*' | sed 's/^/packets the dead server tried to send: /'
inns s nft delete table inet crash
sleep 1
rm -f "$W/idle"                               # the client sends its next request
wait $CP

ccb_capture_stop 0.5

# ---- check the story
F="$HERE/capture.pcap"
tshark -r "$F" -T fields -e frame.number -e frame.time_relative -e tcp.stream -e ip.src -e tcp.srcport -e tcp.flags.str -e tcp.seq -e tcp.ack -e tcp.len -e tcp.seq_raw -e tcp.ack_raw -e _ws.expert.message
rst=$(tshark -r "$F" -Y 'tcp.flags.reset==1' -T fields -e tcp.stream -e ip.src -e tcp.seq_raw)
echo "RST (stream, source, raw seq): $rst"
last=$(tshark -r "$F" -Y 'tcp.stream==0 && ip.src==10.78.9.1 && tcp.len > 0' -T fields -e tcp.ack_raw | tail -1)
fin0=$(tshark -r "$F" -Y 'tcp.stream==0 && tcp.flags.fin==1' | wc -l)
[ "$(echo "$rst" | wc -l)" = 1 ] && [ "$(echo "$rst" | cut -f1,2)" = "0	$SRV" ] || { echo "$CASE: expected one RST from the server on the first connection" >&2; exit 1; }
[ "$(echo "$rst" | cut -f3)" = "$last" ] || { echo "$CASE: the RST's seq is not the ACK number of the client's data" >&2; exit 1; }
[ "$fin0" = 0 ] || { echo "$CASE: a FIN on the first connection: the server did not vanish silently" >&2; exit 1; }
[ "$(tshark -r "$F" -Y 'tcp.stream==1 && tcp.flags.syn==1 && tcp.flags.ack==1' | wc -l)" = 1 ] || { echo "$CASE: the reconnect failed" >&2; exit 1; }
ccb_done 19    # lesson.md numbers the 19 packets of the shipped capture
