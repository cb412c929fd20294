#!/usr/bin/env bash
# make.sh — record cases/http-100-continue/capture.pcap: an upload that asks first.
#
# curl POSTs 3000 bytes with "Expect: 100-continue" to a python3 http.server (HTTP/1.1) in the
# server namespace: it sends only the headers, the server answers "100 Continue", and only then
# does the body follow; the final answer is "201 Created". A second upload on the same
# connection (curl reuses it) of 50000 bytes is refused early: the server answers
# "413 Request Entity Too Large" to the headers alone and closes, and curl never sends that body.
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, curl, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_need curl:curl
cca_up h100

cat > "$W/server.py" <<'PY'
import http.server
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"           # 1.1: http.server honours Expect: 100-continue
    def handle_expect_100(self):
        if int(self.headers.get("Content-Length", 0)) > 10000:
            self.send_response(413)          # too big: say so before the body is sent
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            return False
        return super().handle_expect_100()   # "HTTP/1.1 100 Continue"
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        msg = b"stored %d bytes\n" % len(body)
        self.send_response(201)
        self.send_header("Content-Length", str(len(msg)))
        self.end_headers()
        self.wfile.write(msg)
    def log_message(self, *a):
        pass
http.server.HTTPServer(("10.77.0.2", 8080), H).serve_forever()
PY
head -c 3000 /dev/zero | tr '\0' 'a' > "$W/small.txt"
head -c 50000 /dev/zero | tr '\0' 'b' > "$W/big.txt"
cca_bg "$NS" "$CCA_PY" "$W/server.py"
cca_wait_port "$NS" 8080
cca_capture_start "tcp port 8080"
cli curl -s -H 'Expect: 100-continue' --data-binary @"$W/small.txt" http://10.77.0.2:8080/upload \
    --next -s -H 'Expect: 100-continue' --data-binary @"$W/big.txt" http://10.77.0.2:8080/upload > "$W/out.txt" || true
cca_capture_stop "$HERE/capture.pcap"
cat "$W/out.txt"
grep -q 'stored 3000 bytes' "$W/out.txt" || cca_fail "the first upload was not stored"
[ "$(cca_fields "$HERE/capture.pcap" http.response.code | tr ',' '\n' | grep -c .)" -ge 3 ] || cca_fail "expected 100, 201 and 413"
tshark -r "$HERE/capture.pcap"
