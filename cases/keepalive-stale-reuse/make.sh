#!/usr/bin/env bash
# make.sh — record cases/keepalive-stale-reuse/capture.pcap: a client reuses an HTTP keep-alive
# connection that the server has already closed.
#
# nginx (Debian nginx-light, 10.77.0.2:80) with keepalive_timeout 2s. A python3 client sends one
# request, reads the answer, stays idle for 3 s and sends a second request on the same
# connection, as a connection pool does. After 2 s nginx closed the idle connection (its FIN);
# the client's kernel acknowledged it but the program did not look. The second request reaches
# a socket that no longer exists: the server answers RST, and the request is lost (a client
# must then retry on a new connection, if the request is safe to repeat).
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, nginx-light, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_up ksr

mkdir -p "$W/www"
printf 'fresh data\n' > "$W/www/data.txt"
chmod -R a+rX "$W/www"
cca_nginx "$W/www" "keepalive_timeout 2s;"
cat > "$W/client.py" <<'PY'
import socket, time
req = b"GET /data.txt HTTP/1.1\r\nHost: cases.test\r\n\r\n"
c = socket.create_connection(("10.77.0.2", 80))
c.sendall(req)
print(c.recv(4096).split(b"\r\n")[0])
time.sleep(3)              # idle in the pool, longer than the server's keepalive_timeout
c.sendall(req)             # the kernel accepts it: the socket is only half-closed (CLOSE_WAIT)
try:
    print("second:", c.recv(4096))
except ConnectionResetError as e:
    print("second: error:", e)
c.close()
PY
cca_capture_start "tcp port 80"
cli "$CCA_PY" "$W/client.py" | tee "$W/client.out"
cca_capture_stop "$HERE/capture.pcap"
grep -q "200 OK" "$W/client.out" || cca_fail "no first answer"
grep -Eq "^second: (b''|error)" "$W/client.out" || cca_fail "the second request was answered"
tshark -r "$HERE/capture.pcap"
