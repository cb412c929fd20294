#!/usr/bin/env bash
# make.sh — record cases/http-chunked-trailers/capture.pcap: a response whose length is not known
# in advance, sent in chunks, with a trailer field after the last chunk.
#
# A python3 server (raw socket, 10.77.0.2:8080) answers curl's GET with
# "Transfer-Encoding: chunked" and "Trailer: X-Content-SHA256": three chunks written 0.2 s
# apart (each its own segment, as a program producing output over time would), then the last,
# empty chunk followed by the trailer carrying the SHA-256 of the body, known only at the end.
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, curl, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_need curl:curl
cca_up hct

cat > "$W/server.py" <<'PY'
import hashlib, socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.2", 8080)); s.listen(1)
c, _ = s.accept()
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)   # each chunk leaves when written
req = b""
while b"\r\n\r\n" not in req:
    req += c.recv(4096)
c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
          b"Trailer: X-Content-SHA256\r\n\r\n")
h = hashlib.sha256()
for line in (b"first line of a report\n", b"second line, computed later\n", b"third and last line\n"):
    time.sleep(0.2)
    h.update(line)
    c.sendall(b"%x\r\n%s\r\n" % (len(line), line))
time.sleep(0.2)
c.sendall(b"0\r\nX-Content-SHA256: " + h.hexdigest().encode() + b"\r\n\r\n")
while c.recv(4096):        # until the client closes
    pass
c.close()
PY
cca_bg "$NS" "$CCA_PY" "$W/server.py"
cca_wait_port "$NS" 8080
cca_capture_start "tcp port 8080"
cli curl -s -o "$W/body.txt" -w '%{http_code}\n' http://10.77.0.2:8080/report > "$W/code.txt"
cca_capture_stop "$HERE/capture.pcap"
grep -q 200 "$W/code.txt" || cca_fail "no 200"
[ "$(wc -l < "$W/body.txt")" = 3 ] || cca_fail "the body is not three lines"
tshark -r "$HERE/capture.pcap"
