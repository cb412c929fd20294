#!/usr/bin/env bash
# make.sh — record cases/tour/capture.pcap: a little of everything, to try every view once.
#
#   1. UDP DNS: dig asks a small python3 DNS server (dns_server.py, port 53) for www.cases.test A
#   2. HTTP/1.1 keep-alive: curl fetches two files from nginx over one TCP connection
#   3. plain TCP: a python3 client sends three lines to a python3 echo server (port 7000)
#   4. refused: a python3 client connects to port 9999 where nothing listens -> RST
#
# Checks: DNS answer 10.77.0.2, two HTTP 200s on one TCP stream, three echoed lines, one RST.
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, nginx-light, curl,
# bind9-dnsutils (dig), python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_need curl:curl dig:bind9-dnsutils
cca_up tour

mkdir -p "$W/www"
cat > "$W/www/index.html" <<'HTML'
<!DOCTYPE html>
<html><head><title>chattcp tour</title></head>
<body><h1>Hello from the tour</h1><p>This page is the first request on a keep-alive connection.</p></body></html>
HTML
printf 'The second file travels on the same TCP connection as the first one.\n' > "$W/www/about.txt"
chmod -R a+rX "$W/www"
cca_nginx "$W/www"

cat > "$W/echo.py" <<'PY'
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.2", 7000)); s.listen(1)
c, _ = s.accept()
while True:
    d = c.recv(4096)
    if not d:
        break
    c.sendall(d.upper())        # echo, in capitals so both directions are told apart
c.close()
PY
cat > "$W/client.py" <<'PY'
import socket, sys, time
if sys.argv[1] == "echo":
    c = socket.create_connection(("10.77.0.2", 7000))
    for line in (b"hello echo\n", b"how are you?\n", b"bye\n"):
        c.sendall(line)
        print("echo:", c.recv(100))
        time.sleep(0.2)
    c.close()
    time.sleep(0.2)
else:
    try:
        socket.create_connection(("10.77.0.2", 9999), timeout=3)
    except ConnectionRefusedError as e:
        print("refused:", e)
PY

cca_bg "$NS" "$CCA_PY" "$HERE/dns_server.py" 10.77.0.2 53
cca_bg "$NS" "$CCA_PY" "$W/echo.py"
cca_wait_port "$NS" 53 udp
cca_wait_port "$NS" 7000

cca_capture_start "udp port 53 or tcp port 80 or tcp port 7000 or tcp port 9999"
cli dig +tries=1 +time=2 @10.77.0.2 www.cases.test A | tee "$W/dig.out" | grep -A2 'ANSWER SECTION'
sleep 0.5
cli curl -sS --http1.1 -o /dev/null -o /dev/null -w 'curl: %{http_code} %{content_type} %{num_connects} new connection(s)\n' \
    http://www.cases.test/index.html http://www.cases.test/about.txt --resolve www.cases.test:80:10.77.0.2
sleep 0.5
cli "$CCA_PY" "$W/client.py" echo
sleep 0.5
cli "$CCA_PY" "$W/client.py" refused
cca_capture_stop "$HERE/capture.pcap"
tshark -r "$HERE/capture.pcap" 2>/dev/null

cca_fields "$HERE/capture.pcap" dns.a | grep -q '^10.77.0.2$' || cca_fail "no DNS answer"
[ "$(cca_fields "$HERE/capture.pcap" tcp.stream http.response.code | awk -F'|' '$2==200{print $1}' | sort -u | wc -l)" = 1 ] \
    || cca_fail "the two HTTP responses are not on one connection"
[ "$(cca_fields "$HERE/capture.pcap" http.response.code | grep -c '^200$')" = 2 ] || cca_fail "expected two 200s"
[ "$(cca_fields "$HERE/capture.pcap" tcp.srcport tcp.flags.reset | grep -c '^9999|1$')" = 1 ] || cca_fail "no RST from port 9999"
[ "$(cca_fields "$HERE/capture.pcap" tcp.srcport tcp.len | awk -F'|' '$1==7000 && $2>0' | wc -l)" = 3 ] || cca_fail "expected 3 echoed lines"
cca_expect_count "$HERE/capture.pcap" 32
echo ok
