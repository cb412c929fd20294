#!/usr/bin/env bash
# make.sh — record cases/http-keepalive-close-pipelining/capture.pcap: three ways to send two
# HTTP/1.1 requests, side by side, to one nginx (Debian nginx-light, 10.77.0.2:80).
#
#   connection 0: curl fetches /a.txt and /b.txt on one persistent connection (keep-alive): the
#                 second request waits for the first response, then reuses the connection.
#   connection 1: a python3 client asks for /a.txt with "Connection: close" and reads until the end
#                 of the stream, as HTTP/1.0-style clients do: nginx answers and closes first, so
#                 the server, not the client, is left in TIME_WAIT.
#   connection 2: a python3 client writes both requests in one send() (pipelining), the second
#                 with "Connection: close"; nginx answers them in order, then closes.
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, nginx-light, curl, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_need curl:curl
cca_up hkp

mkdir -p "$W/www"
printf 'file a: hello\n' > "$W/www/a.txt"
printf 'file b: world\n' > "$W/www/b.txt"
chmod -R a+rX "$W/www"
cca_nginx "$W/www"
cat > "$W/close.py" <<'PY'
import socket, time
c = socket.create_connection(("10.77.0.2", 80))
c.sendall(b"GET /a.txt HTTP/1.1\r\nHost: cases.test\r\nConnection: close\r\n\r\n")
while c.recv(65536):       # the response, then the server's FIN
    pass
time.sleep(0.1)            # close after the server did: its FIN comes first
c.close()
PY
cat > "$W/pipeline.py" <<'PY'
import socket
c = socket.create_connection(("10.77.0.2", 80))
c.sendall(b"GET /a.txt HTTP/1.1\r\nHost: cases.test\r\n\r\n"
          b"GET /b.txt HTTP/1.1\r\nHost: cases.test\r\nConnection: close\r\n\r\n")
while c.recv(65536):       # both responses, then the server's FIN
    pass
c.close()
PY

cca_capture_start "tcp port 80"
cli curl -s -o /dev/null -o /dev/null http://10.77.0.2/a.txt http://10.77.0.2/b.txt
sleep 0.5
cli "$CCA_PY" "$W/close.py"
sleep 0.5
cli "$CCA_PY" "$W/pipeline.py"
cca_capture_stop "$HERE/capture.pcap"
n=$(cca_fields "$HERE/capture.pcap" tcp.stream | sort -u | wc -l)
[ "$n" = 3 ] || cca_fail "expected 3 connections, got $n"
[ "$(cca_fields "$HERE/capture.pcap" http.request.method | tr ',' '\n' | grep -c GET)" = 5 ] || cca_fail "expected 5 requests"
tshark -r "$HERE/capture.pcap"
