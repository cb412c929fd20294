#!/usr/bin/env bash
# make.sh — record cases/websocket/capture.pcap: a WebSocket conversation (RFC 6455), no extensions.
#
# ws.py (python3, written for this case, plain sockets) plays both peers: the HTTP/1.1 Upgrade
# handshake with a correct Sec-WebSocket-Accept, a masked client text frame and the server's
# unmasked answer, a ping/pong in each direction, one message fragmented in three frames
# (text FIN=0, continuation FIN=0, continuation FIN=1), and the close handshake with status
# 1000 "bye" after which the server closes TCP first.
# Checks: 101 response, every client frame masked, no server frame masked, opcodes in the
# expected order, close code 1000.
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_up ws

cca_bg "$NS" "$CCA_PY" "$HERE/ws.py" server 10.77.0.2 8765
cca_wait_port "$NS" 8765
cca_capture_start "tcp port 8765"
cli "$CCA_PY" "$HERE/ws.py" client 10.77.0.2 8765
cca_capture_stop "$HERE/capture.pcap"
tshark -r "$HERE/capture.pcap" -d tcp.port==8765,http 2>/dev/null

cca_fields "$HERE/capture.pcap" http.response.code | grep -q '^101$' || cca_fail "no 101 Switching Protocols"
tshark -r "$HERE/capture.pcap" -qz follow,tcp,ascii,0 2>/dev/null | grep -q "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" || cca_fail "wrong Sec-WebSocket-Accept"
ops=$(cca_fields "$HERE/capture.pcap" ip.src websocket.opcode websocket.fin websocket.mask websocket.payload.close.status_code \
      | awk -F'|' '$2!=""' | sed 's/^10.77.0.1/C/;s/^10.77.0.2/S/' | tr '\n' ' ')
echo "frames (src|opcode|fin|mask|close code): $ops"
want="C|1|1|1| S|1|1|0| S|9|1|0| C|10|1|1| C|9|1|1| S|10|1|0| C|1|0|1| C|0|0|1| C|0|1|1| S|1|1|0| C|8|1|1|1000 S|8|1|0|1000 "
[ "$ops" = "$want" ] || cca_fail "websocket frames not as expected"
n=$(cca_fields "$HERE/capture.pcap" frame.number | wc -l)
[ "$n" = 32 ] || cca_fail "expected 32 packets as in lesson.md (got $n: ACK timing differed); run again"
echo ok
