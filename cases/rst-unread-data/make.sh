#!/usr/bin/env bash
# make.sh — record cases/rst-unread-data/capture.pcap: close() with unread data sends RST, not FIN.
#
# A python3 server reads only the first 16 bytes of what the client sent, writes its answer and
# calls close() while the rest of the request is still unread in its receive buffer. TCP then
# must not pretend an orderly close (RFC 9293 3.6, RFC 2525 2.17): Linux discards the unread
# bytes and sends RST instead of FIN. The client reads the answer 0.2 s later (on this kernel
# the bytes that arrived before the RST can still be read; some stacks discard them), and
# where it would have read the end of the stream (0 bytes, the FIN) its next recv() fails with
# "Connection reset by peer".
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_up rud

cat > "$W/server.py" <<'PY'
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.2", 7600)); s.listen(1)
c, _ = s.accept()
time.sleep(0.1)            # the whole request is in the receive buffer by now
c.recv(16)                 # read only its first line
c.sendall(b"OK: job accepted\n")
c.close()                  # 24 bytes still unread: RST, not FIN
PY
cat > "$W/client.py" <<'PY'
import socket, time
c = socket.create_connection(("10.77.0.2", 7600))
c.sendall(b"SUBMIT job=1234\nPRIORITY high\nEND\n")
time.sleep(0.2)            # the answer and the RST arrive meanwhile
try:
    print("read:", c.recv(100))
    print("read:", c.recv(100))   # where the FIN would have said "end of stream"
except ConnectionResetError as e:
    print("error:", e)
c.close()
PY
cca_bg "$NS" "$CCA_PY" "$W/server.py"
cca_wait_port "$NS" 7600
cca_capture_start "tcp port 7600"
cli "$CCA_PY" "$W/client.py" | tee "$W/client.out"
cca_capture_stop "$HERE/capture.pcap"
grep -q "^error: .*reset" "$W/client.out" || cca_fail "the client read the answer; expected a reset"
tshark -r "$HERE/capture.pcap"
