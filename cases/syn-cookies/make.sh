#!/usr/bin/env bash
# make.sh — record cases/syn-cookies/capture.pcap: a server answering with SYN cookies, and a
# lost third handshake that a cookie survives.
#
# The server namespace has net.ipv4.tcp_syncookies=2: every SYN is answered with a cookie (a
# SYN+ACK whose sequence number encodes the connection, so the server keeps no state until the
# handshake's last ACK). Normally cookies are used only when the SYN queue overflows (a SYN
# flood); =2 makes every handshake show it. nftables in the client namespace drops the client's
# first pure ACK (the third handshake). The client waits 1.5 s, then sends "ping": that segment's
# acknowledgement number still carries the cookie, and the server builds the connection from it.
# A server without cookies would have resent its SYN+ACK after 1 s (see the case
# lost-third-handshake); here nothing is resent: the server forgot the SYN at once.
# The capture is on the server's interface: it shows what the server received.
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, nftables, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_need nft:nftables
cca_up sck

srv sysctl -qw net.ipv4.tcp_syncookies=2
cli nft -f - <<'NFT'
table inet lose {
  chain out {
    type filter hook output priority 0; policy accept;
    tcp dport 7200 tcp flags == ack meta l4proto tcp ip length 52 numgen inc mod 1000 < 1 counter drop
  }
}
NFT
cat > "$W/server.py" <<'PY'
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.2", 7200)); s.listen(8)
c, _ = s.accept()
d = c.recv(100)
c.sendall(b"pong\n")
c.recv(100)
c.close()
PY
cat > "$W/client.py" <<'PY'
import socket, time
c = socket.create_connection(("10.77.0.2", 7200))
time.sleep(1.5)            # longer than the server's 1 s SYN+ACK timer, had it kept any state
c.sendall(b"ping\n")
c.recv(100)
c.close()
time.sleep(0.2)
PY
cca_bg "$NS" "$CCA_PY" "$W/server.py"
cca_wait_port "$NS" 7200
ip netns exec "$NS" tcpdump -i s0 -U --immediate-mode -Z root -w "$W/capture.pcap" "tcp port 7200" 2>"$W/tcpdump.err" &
CCA_TCPDUMP_PID=$!
for _ in $(seq 100); do grep -q "listening on" "$W/tcpdump.err" 2>/dev/null && break; sleep 0.05; done
sleep 0.2
cli "$CCA_PY" "$W/client.py"
srv nstat -az TcpExtSyncookiesSent TcpExtSyncookiesRecv
cca_capture_stop "$HERE/capture.pcap"
cli nft list ruleset | grep -q 'counter packets 1 ' || cca_fail "the third handshake was not dropped"
[ "$(cca_fields "$HERE/capture.pcap" tcp.flags.str | tr -d '·' | grep -c '^AS$')" = 1 ] || cca_fail "the SYN+ACK was resent"
tshark -r "$HERE/capture.pcap"
