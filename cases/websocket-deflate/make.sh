#!/usr/bin/env bash
# make.sh — record cases/websocket-deflate/capture.pcap: WebSocket with permessage-deflate.
#
# ws.py (beside this script; a minimal RFC 6455 client and server, since Debian's python3 has
# no WebSocket library) runs the server in the server namespace (10.77.0.2:8765) and the
# client in the client namespace. They agree on permessage-deflate (RFC 7692) in the upgrade;
# the client sends the same 83-byte JSON message twice and a slightly changed one, each
# compressed and masked, and the server echoes each compressed. Both keep their deflate
# window between messages (context takeover), so the repeats shrink to a few bytes. Then a
# close handshake (close frames both ways) and the TCP close.
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_up wsd

# The lesson numbers 18 frames; a run whose close has a timer-driven FIN repeat (a tail loss
# probe when the last ACK is late) is made again, up to five times.
for try in 1 2 3 4 5; do
    cca_bg "$NS" "$CCA_PY" "$HERE/ws.py" server
    cca_wait_port "$NS" 8765
    cca_capture_start "tcp port 8765"
    cli "$CCA_PY" "$HERE/ws.py" client > "$W/client.out"
    cca_capture_stop "$HERE/capture.pcap"
    [ "$(cca_fields "$HERE/capture.pcap" frame.number | wc -l)" = 18 ] && break
    echo "try $try: not 18 packets, again" >&2; sleep 0.5
done
cca_expect_count "$HERE/capture.pcap" 18
cat "$W/client.out"
[ "$(grep -c '^echo: {' "$W/client.out")" = 3 ] || cca_fail "three echoes expected"
tshark -r "$HERE/capture.pcap"
