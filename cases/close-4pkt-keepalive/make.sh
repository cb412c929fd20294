#!/usr/bin/env bash
# make.sh — record cases/close-4pkt-keepalive/capture.pcap: a server keep-alive probe, then a
# four-packet close started by the server.
#
# The python3 server turns on SO_KEEPALIVE with TCP_KEEPIDLE=15 on the accepted connection and
# then does nothing for 17 s: after 15 s of silence its kernel sends one keep-alive probe and the
# client's kernel answers it. Then the server closes (FIN). The client program reads EOF but waits
# 300 ms before closing, so its kernel first acknowledges the FIN alone (delayed ACK, ~40 ms)
# and the client's own FIN follows separately: four packets.
# Checks: one answered keep-alive, then FIN (server), ACK, FIN (client), ACK.
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_up c4

cat > "$W/server.py" <<'PY'
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.2", 9200)); s.listen(1)
c, _ = s.accept()
c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 15)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 15)
time.sleep(17)             # idle: one keep-alive probe after 15 s
c.close()                  # the server closes first
time.sleep(1)
PY
cat > "$W/client.py" <<'PY'
import socket, time
c = socket.create_connection(("10.77.0.2", 9200))
while c.recv(4096):        # wait for the server's FIN (EOF)
    pass
time.sleep(0.3)            # take a moment before closing: our kernel ACKs the FIN alone meanwhile
c.close()
time.sleep(0.5)
PY

ok=
for try in 1 2 3; do
    cca_bg "$NS" "$CCA_PY" "$W/server.py"
    cca_wait_port "$NS" 9200
    cca_capture_start "tcp port 9200"
    cli "$CCA_PY" "$W/client.py"
    cca_capture_stop "$HERE/capture.pcap"
    f=$(cca_fields "$HERE/capture.pcap" ip.src tcp.flags.str tcp.len tcp.analysis.keep_alive tcp.analysis.keep_alive_ack \
        | tr -d '·' | sed 's/^10.77.0.1/C/;s/^10.77.0.2/S/' | tr '\n' ' ')
    echo "try $try: $f"
    [ "$(echo $f)" = "C|S|0|| S|AS|0|| C|A|0|| S|A|0|1| C|A|0||1 S|AF|0|| C|A|0|| C|AF|0|| S|A|0||" ] && { ok=1; break; }
    sleep 1
done
tshark -r "$HERE/capture.pcap" 2>/dev/null
[ -n "$ok" ] || cca_fail "expected handshake, keep-alive + ACK, then a 4-packet close"
