#!/usr/bin/env bash
# make.sh — record cases/http-bare-lf/capture.pcap: one HTTP request with a stray bare "\n" inside a
# header value, sent byte for byte the same to two real HTTP servers that disagree about it.
#
#   connection 1: nginx (Debian nginx-light, 10.77.0.2:80), `return 200` with what it parsed
#   connection 2: python3's http.server (BaseHTTPRequestHandler, 10.77.0.2:8000), a do_POST that
#                 reads Content-Length bytes of body and answers with what it parsed
#
# The request (python3 socket client, one send each):
#   POST /echo HTTP/1.1 CRLF Host CRLF "X-Note: hello" LF "world" CRLF Content-Type CRLF
#   Content-Length: 6 CRLF CRLF "hello\n"
# Checks: nginx answers one 200 that saw Content-Length 6; python answers 200 without having
# seen Content-Length and then a 400 for "hello" (the body read as a second request).
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, nginx-light, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_up lf

mkdir -p "$W/www"; chmod a+rX "$W/www"
cca_nginx "$W/www" 'location /echo { default_type text/plain;
            return 200 "nginx saw: X-Note=[$http_x_note] Content-Type=[$content_type] Content-Length=[$content_length]\n"; }'

cat > "$W/server.py" <<'PY'
import http.server
class Echo(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"          # keep-alive, like any HTTP/1.1 server
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        msg = ("python saw: headers=%s Content-Length=%s body=%r\n"
               % (dict(self.headers.items()), self.headers.get("Content-Length"), body)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(msg)))
        self.end_headers()
        self.wfile.write(msg)
http.server.HTTPServer(("10.77.0.2", 8000), Echo).serve_forever()
PY
cat > "$W/client.py" <<'PY'
import socket, sys
REQ = (b"POST /echo HTTP/1.1\r\n"
       b"Host: 10.77.0.2\r\n"
       b"X-Note: hello\nworld\r\n"            # <- the stray bare LF
       b"Content-Type: text/plain\r\n"
       b"Content-Length: 6\r\n"
       b"\r\n"
       b"hello\n")
if sys.argv[1] == "offset":
    print(REQ.index(b"hello\nworld") + 5, len(REQ), REQ.index(b"\r\n\r\n") + 4); sys.exit()
c = socket.create_connection(("10.77.0.2", int(sys.argv[1])))
c.sendall(REQ)
c.settimeout(1.0)
got = b""
try:
    while True:
        d = c.recv(65536)
        if not d:
            break
        got += d
except socket.timeout:
    pass
c.close()
sys.stdout.write(got.decode() + "\n")
PY

cca_bg "$NS" "$CCA_PY" "$W/server.py"
cca_wait_port "$NS" 8000
read -r off total hdrend < <("$CCA_PY" "$W/client.py" offset)
echo "request: $total bytes, stray LF at byte offset $off (0-based), headers end at $hdrend"

cca_capture_start "tcp port 80 or tcp port 8000"
cli "$CCA_PY" "$W/client.py" 80   | tee "$W/nginx.out"
sleep 0.3
cli "$CCA_PY" "$W/client.py" 8000 | tee "$W/python.out"
cca_capture_stop "$HERE/capture.pcap"
tshark -r "$HERE/capture.pcap" 2>/dev/null

grep -q 'Content-Length=\[6\]' "$W/nginx.out" || cca_fail "nginx did not see Content-Length 6"
[ "$(grep -c '^HTTP/1' "$W/nginx.out")" = 1 ] || cca_fail "nginx: expected exactly one response"
grep -q "^HTTP/1.1 200" "$W/python.out" && grep -q "Content-Length=None" "$W/python.out" \
    || cca_fail "python did not lose Content-Length"
grep -q "Bad request syntax ('hello')" "$W/python.out" || cca_fail "python did not answer 400 to the body"
[ "$(grep -c '^HTTP/1' "$W/python.out")" = 1 ] || cca_fail "python: expected one status line (the 400 has none)"
cca_expect_count "$HERE/capture.pcap" 24
echo "ok"
