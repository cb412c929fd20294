#!/usr/bin/env bash
# cases/refused/make.sh: makes cases/refused/capture.pcap
#   A client connects to a TCP port where nothing listens; the server's kernel answers the SYN
#   with RST+ACK; the client program waits one second and tries once more (same answer).
#   Real Linux stacks in two network namespaces (ccb-refused-c, ccb-refused-s) joined by a veth pair,
#   10.78.1.1 (client) <-> 10.78.1.2 (server). Capture on the client's interface.
# Needs: root; Debian packages iproute2, tcpdump, tshark, ethtool, python3.
# Re-runnable: deletes its namespaces on exit; exits non-zero if the capture does not show the story.
set -euo pipefail
CASE=refused
HERE=$(cd "$(dirname "$0")" && pwd)
CLI=10.78.1.1 SRV=10.78.1.2 PORT=8080

# shellcheck source-path=SCRIPTDIR source=../lib-ccb.sh
. "$HERE/../lib-ccb.sh"    # P=ccb-$CASE, work dir W, PIDS, inns, cleanup on exit
ccb_need ip:iproute2 tcpdump:tcpdump tshark:tshark ethtool:ethtool python3:python3

# ---- network: two namespaces, one veth pair, no IPv6 (no router solicitations), offloads off
ccb_two_hosts

# ---- capture
ccb_capture c c0 cap.pcap "tcp and host $SRV"

# ---- the story: nothing listens on the server's port 8080; the client tries twice
cat > "$W/client.py" <<'PY'
import socket, sys, time
host, port = sys.argv[1], int(sys.argv[2])
for attempt in (1, 2):
    s = socket.socket()
    try:
        s.connect((host, port))
        print("attempt %d: connected (unexpected)" % attempt)
    except OSError as e:
        print("attempt %d: %s" % (attempt, e))
    s.close()
    if attempt == 1:
        time.sleep(1.0)      # the application retries after a second
PY
inns c python3 "$W/client.py" $SRV $PORT

ccb_capture_stop 0.5

# ---- check the story
F="$HERE/capture.pcap"
tshark -r "$F" -T fields -e frame.number -e frame.time_relative -e ip.src -e tcp.srcport -e tcp.dstport -e tcp.flags.str
flags=$(tshark -r "$F" -T fields -e tcp.flags.str | tr -d '·' | tr '\n' ' ')
echo "flags: $flags"
[ "$(tshark -r "$F" | wc -l)" = 4 ] || { echo "$CASE: expected 4 packets" >&2; exit 1; }
[ "$flags" = "S AR S AR " ] || { echo "$CASE: expected SYN, RST+ACK, SYN, RST+ACK" >&2; exit 1; }
ccb_done 4    # lesson.md numbers the 4 packets of the shipped capture
