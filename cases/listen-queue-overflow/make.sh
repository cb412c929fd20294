#!/usr/bin/env bash
# make.sh — record cases/listen-queue-overflow/capture.pcap: a server too busy to accept().
#
# A python3 server listens with backlog 1 and does not call accept() for 2.5 s. Three clients
# connect 0.1 s apart. Linux completes handshakes into the accept queue until it holds
# backlog+1 = 2 connections; after that it drops incoming SYNs silently (counted as
# ListenOverflows in nstat). The third client retransmits its SYN (1 s, then 2 s later); when
# the server finally accepts, the queue has room and the retransmitted SYN is answered. Each
# client then sends "hello" and waits for the echo.
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_up lqo

cat > "$W/server.py" <<'PY'
import socket, threading, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.2", 7000)); s.listen(1)          # accept queue: backlog + 1 = 2 on Linux
time.sleep(2.5)                                    # busy: nobody calls accept()
def serve(c):
    d = c.recv(100); c.sendall(d); c.recv(100); c.close()
for _ in range(3):
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,)).start()
time.sleep(1)
PY
cat > "$W/client.py" <<'PY'
import socket, sys, time
time.sleep(float(sys.argv[1]))
c = socket.create_connection(("10.77.0.2", 7000), timeout=10)
c.sendall(b"hello %s\n" % sys.argv[2].encode())
c.recv(100)
c.close()
PY
cca_bg "$NS" "$CCA_PY" "$W/server.py"
cca_wait_port "$NS" 7000
cca_capture_start "tcp port 7000"
ip netns exec "$NC" "$CCA_PY" "$W/client.py" 0 1 & a=$!
ip netns exec "$NC" "$CCA_PY" "$W/client.py" 0.1 2 & b=$!
ip netns exec "$NC" "$CCA_PY" "$W/client.py" 0.2 3 & c=$!
wait $a $b $c
cca_capture_stop "$HERE/capture.pcap"
srv nstat -az TcpExtListenOverflows TcpExtListenDrops
syns=$(cca_fields "$HERE/capture.pcap" tcp.flags.str | tr -d '·' | grep -cx 'S')
[ "$syns" -ge 4 ] || cca_fail "expected a retransmitted SYN (got $syns SYNs)"
tshark -r "$HERE/capture.pcap"
