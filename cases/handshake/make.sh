#!/usr/bin/env bash
# make.sh — record cases/handshake/capture.pcap: a three-way handshake and a three-packet close.
#
# A python3 client connects to a python3 server and closes at once, without sending data.
# The server closes as soon as recv() returns EOF. Because Linux delays the ACK of the
# client's FIN for a moment and the server's close() comes within that moment, the ACK rides
# on the server's own FIN: the close takes three packets (FIN, FIN+ACK, ACK) instead of four.
# The script retries (up to 5 times) until the capture shows exactly that.
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_up hs

cat > "$W/server.py" <<'PY'
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.2", 9000)); s.listen(1)
c, _ = s.accept()
while c.recv(4096):        # read until EOF (the client's FIN)
    pass
c.close()                  # close at once: our FIN can carry the ACK of theirs
PY
cat > "$W/client.py" <<'PY'
import socket, time
c = socket.create_connection(("10.77.0.2", 9000))
time.sleep(0.5)            # a moment of nothing, so the handshake and the close stand apart
c.close()
time.sleep(0.5)
PY

ok=
for try in 1 2 3 4 5; do
    cca_bg "$NS" "$CCA_PY" "$W/server.py"
    cca_wait_port "$NS" 9000
    cca_capture_start "tcp port 9000"
    cli "$CCA_PY" "$W/client.py"
    cca_capture_stop "$HERE/capture.pcap"
    flags=$(cca_fields "$HERE/capture.pcap" tcp.flags.str tcp.len | tr -d '·' | tr '\n' ' ')
    echo "try $try: $flags"
    # six packets: SYN, SYN+ACK, ACK, FIN+ACK, FIN+ACK, ACK, no payload anywhere
    if [ "$(echo $flags)" = "S|0 AS|0 A|0 AF|0 AF|0 A|0" ]; then ok=1; break; fi
    sleep 1
done
[ -n "$ok" ] || cca_fail "no capture with a 3-packet close"
tshark -r "$HERE/capture.pcap"
