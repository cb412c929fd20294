#!/usr/bin/env bash
# make.sh — record cases/keepalive/capture.pcap: TCP keep-alive probes every 15 s on an idle connection.
#
# A python3 client turns on SO_KEEPALIVE with TCP_KEEPIDLE=15 and TCP_KEEPINTVL=15 (what Go's
# net.Dialer does by default since Go 1.12), exchanges one line with a python3 echo server,
# then stays idle for 52 s: the client's kernel sends a keep-alive probe after every 15 s of
# silence and the server's kernel answers each one. Then the client closes normally.
# Takes about a minute. Checks at the end that there are >= 3 probes, each answered.
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_up ka

cat > "$W/server.py" <<'PY'
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.2", 7000)); s.listen(1)
c, _ = s.accept()
while True:
    d = c.recv(4096)
    if not d:
        break
    c.sendall(d)           # echo
c.close()
PY
cat > "$W/client.py" <<'PY'
import socket, time
c = socket.socket()
c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 15)   # first probe after 15 s idle
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 15)  # then every 15 s
c.connect(("10.77.0.2", 7000))
c.sendall(b"hello\n")
c.recv(100)
time.sleep(52)             # idle: only keep-alive probes on the wire
c.close()
time.sleep(0.5)
PY

cca_bg "$NS" "$CCA_PY" "$W/server.py"
cca_wait_port "$NS" 7000
cca_capture_start "tcp port 7000"
cli "$CCA_PY" "$W/client.py"
cca_capture_stop "$HERE/capture.pcap"
tshark -r "$HERE/capture.pcap" 2>/dev/null

probes=$(cca_fields "$HERE/capture.pcap" frame.number tcp.analysis.keep_alive | grep -c '|1$' || true)
acks=$(cca_fields "$HERE/capture.pcap" frame.number tcp.analysis.keep_alive_ack | grep -c '|1$' || true)
echo "keep-alive probes: $probes, answered: $acks"
[ "$probes" -ge 3 ] && [ "$acks" -ge 3 ] || cca_fail "expected >= 3 answered keep-alive probes"
cca_expect_count "$HERE/capture.pcap" 16
