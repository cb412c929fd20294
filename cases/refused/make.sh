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
P=ccb-$CASE
CLI=10.78.1.1 SRV=10.78.1.2 PORT=8080

[ "$(id -u)" = 0 ] || { echo "$CASE: needs root (network namespaces)" >&2; exit 2; }
need=()
for pair in ip:iproute2 tcpdump:tcpdump tshark:tshark ethtool:ethtool python3:python3; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${pair%%:*}" ] || need+=("${pair#*:}")
done
[ ${#need[@]} = 0 ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; }

W=$(mktemp -d /tmp/ccb-$CASE.XXXXXX)
PIDS=()
cleanup() {
    set +e
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    sleep 0.2
    for n in c s; do ip netns del "$P-$n" 2>/dev/null; done
    rm -rf "$W"
}
trap cleanup EXIT INT TERM
inns() { local n=$1; shift; ip netns exec "$P-$n" "$@"; }

# ---- network: two namespaces, one veth pair, no IPv6 (no router solicitations), offloads off
for n in c s; do
    ip netns del "$P-$n" 2>/dev/null || true
    ip netns add "$P-$n"
    inns $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$P-$n" link set lo up
done
ip link add c0 netns "$P-c" type veth peer name s0 netns "$P-s"
ip -n "$P-c" addr add $CLI/24 dev c0
ip -n "$P-s" addr add $SRV/24 dev s0
inns c ethtool -K c0 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
inns s ethtool -K s0 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
ip -n "$P-c" link set c0 up
ip -n "$P-s" link set s0 up

# ---- capture
ip netns exec "$P-c" tcpdump -i c0 -U --immediate-mode -Z root -w "$W/cap.pcap" "tcp and host $SRV" 2> "$W/tcpdump.err" &
TD=$!; PIDS+=($TD)
for i in $(seq 50); do grep -qs 'listening on' "$W/tcpdump.err" && break; sleep 0.1; done

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

sleep 0.5
kill -INT $TD; wait $TD 2>/dev/null || true
cp "$W/cap.pcap" "$HERE/capture.pcap"

# ---- check the story
F="$HERE/capture.pcap"
tshark -r "$F" -T fields -e frame.number -e frame.time_relative -e ip.src -e tcp.srcport -e tcp.dstport -e tcp.flags.str
flags=$(tshark -r "$F" -T fields -e tcp.flags.str | tr -d '·' | tr '\n' ' ')
echo "flags: $flags"
[ "$(tshark -r "$F" | wc -l)" = 4 ] || { echo "$CASE: expected 4 packets" >&2; exit 1; }
[ "$flags" = "S AR S AR " ] || { echo "$CASE: expected SYN, RST+ACK, SYN, RST+ACK" >&2; exit 1; }
# lesson.md describes the capture shipped with it (4 packets); a re-run can differ in timing and count
m=$(tshark -r "$HERE/capture.pcap" 2>/dev/null | wc -l)
[ "$m" = 4 ] || echo "$CASE: NOTE: lesson.md describes 4 packets, this capture has $m: update the frame numbers in lesson.md" >&2
echo "$CASE: OK"
