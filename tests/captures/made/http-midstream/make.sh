#!/usr/bin/env bash
# make.sh: records two captures of real HTTP/1.1 traffic between two network namespaces
# (cases/lib-netns.sh: veth, MTU 1500, offloads off; nothing leaves them). Needs root.
#   midstream.pcap: 12 keep-alive connections from client ports 8868-8879 to a server on
#     port 31600, capture started after each had sent its first request: no SYN, no
#     well-known port, and the lower port is the client's.
#   response-lost.pcap: one connection, four GETs (jpg, webp, png, txt); the frame that
#     carried the start of the second response (the webp's status line) is removed with
#     editcap, as a capture that missed one segment.
#   ack-first.pcap: midstream.pcap without each connection's first four frames (its
#     first request and response), so each connection starts with the client's pure ACK:
#     the sides are guessed from the ports first and set by the next request's content.
#   request-lost.pcap: midstream.pcap without the first connection's second request, so
#     its response answers a request that was not captured.
set -euo pipefail
cd "$(dirname "$0")"
HERE=$PWD
. ../../../../cases/lib-netns.sh
cca_up htms
cca_need editcap:tshark
export CLI_IP
cca_bg "$NS" /usr/bin/python3 "$HERE/server.py" 31600
cca_wait_port "$NS" 31600

# midstream
cli /usr/bin/python3 "$HERE/client.py" "$SRV_IP" 31600 midstream "$W" &
CLIENT=$!
for i in $(seq 200); do [ -e "$W/phase1" ] && break; sleep 0.05; done
[ -e "$W/phase1" ] || cca_fail "the clients did not connect"
cca_capture_start "tcp port 31600"
touch "$W/go"
wait $CLIENT
cca_capture_stop "$HERE/midstream.pcap"
n_syn=$(tshark -r midstream.pcap -Y "tcp.flags.syn==1" 2>/dev/null | wc -l)
[ "$n_syn" = 0 ] || cca_fail "midstream.pcap has $n_syn SYNs"

# response-lost
cca_capture_start "tcp port 31600"
cli /usr/bin/python3 "$HERE/client.py" "$SRV_IP" 31600 lost "$W"
cca_capture_stop "$W/whole.pcap"
# the frame whose payload starts with the webp's status line: the first server segment
# after the request for the webp
req=$(tshark -r "$W/whole.pcap" -Y 'http.request.uri contains "webp"' -T fields -e frame.number 2>/dev/null | head -1)
lost=$(tshark -r "$W/whole.pcap" -Y "frame.number > $req && tcp.srcport == 31600 && tcp.len > 0" \
	-T fields -e frame.number 2>/dev/null | head -1)
[ -n "$lost" ] || cca_fail "no response segment after frame $req"
editcap "$W/whole.pcap" "$HERE/response-lost.pcap" "$lost"
chmod 644 "$HERE/response-lost.pcap"
# ack-first: drop the first four frames of every connection
drop=$(tshark -r midstream.pcap -T fields -e tcp.stream -e frame.number 2>/dev/null |
	awk '{ if (++n[$1] <= 4) printf "%s ", $2 }')
# shellcheck disable=SC2086 # one argument per frame number
editcap midstream.pcap ack-first.pcap $drop
chmod 644 ack-first.pcap
# request-lost: the second request of connection 0
second=$(tshark -r midstream.pcap -Y "tcp.stream == 0 && tcp.srcport != 31600 && tcp.len > 0" \
	-T fields -e frame.number 2>/dev/null | sed -n 2p)
editcap midstream.pcap request-lost.pcap "$second"
chmod 644 request-lost.pcap
echo "midstream.pcap: $(tshark -r midstream.pcap 2>/dev/null | wc -l) packets;" \
	"response-lost.pcap: frame $lost of $(tshark -r "$W/whole.pcap" 2>/dev/null | wc -l) removed"
