#!/usr/bin/env bash
# cases/syn-filtered/make.sh: makes cases/syn-filtered/capture.pcap
#   A client connects to a TCP port that a firewall on the server host silently drops (nftables
#   "drop" in the server namespace's input hook). Nothing ever answers: the client's kernel
#   retransmits the SYN with exponential backoff (1 s, 2 s, 4 s) and gives up after
#   net.ipv4.tcp_syn_retries=3 (set in the client namespace; the Linux default is 6, ~127 s), with
#   net.ipv4.tcp_syn_linear_timeouts=0 (on kernels that have it) for the classic doubling.
#   Real Linux stacks in two network namespaces (ccb-syn-filtered-c, ccb-syn-filtered-s) joined by a
#   veth pair, 10.78.2.1 (client) <-> 10.78.2.2 (server). Capture on the client's interface.
# Needs: root; Debian packages iproute2, nftables, tcpdump, tshark, ethtool, python3.
# Re-runnable: deletes its namespaces on exit; exits non-zero if the capture does not show the story.
set -euo pipefail
CASE=syn-filtered
HERE=$(cd "$(dirname "$0")" && pwd)
P=ccb-$CASE
CLI=10.78.2.1 SRV=10.78.2.2 PORT=8080

[ "$(id -u)" = 0 ] || { echo "$CASE: needs root (network namespaces)" >&2; exit 2; }
need=()
for pair in ip:iproute2 nft:nftables tcpdump:tcpdump tshark:tshark ethtool:ethtool python3:python3; do
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

# the server host's firewall: drop (no answer at all) TCP to port 8080; the client gives up after 3 SYN retries
inns s nft -f - <<NFT
table inet fw {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport $PORT counter drop
  }
}
NFT
# Linux 6.18 (this machine) also has net.ipv4.tcp_syn_linear_timeouts (default 4: the first four SYN
# retransmissions 1 s apart, only then doubling). Set it to 0 to show the classic exponential backoff
# that most deployed kernels do; the lesson mentions the newer default.
inns c sysctl -qw net.ipv4.tcp_syn_retries=3
inns c sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0 2>/dev/null || true

# ---- capture
ip netns exec "$P-c" tcpdump -i c0 -U --immediate-mode -Z root -w "$W/cap.pcap" "tcp and host $SRV" 2> "$W/tcpdump.err" &
TD=$!; PIDS+=($TD)
for i in $(seq 50); do grep -qs 'listening on' "$W/tcpdump.err" && break; sleep 0.1; done

# ---- the story: a client connects to the filtered port and waits for the kernel to give up
cat > "$W/client.py" <<'PY'
import socket, sys, time
host, port = sys.argv[1], int(sys.argv[2])
s = socket.socket()
t0 = time.monotonic()
try:
    s.connect((host, port))
    print("connected (unexpected)")
except OSError as e:
    print("connect failed after %.1f s: %s" % (time.monotonic() - t0, e))
PY
inns c python3 "$W/client.py" $SRV $PORT

sleep 0.5
kill -INT $TD; wait $TD 2>/dev/null || true
cp "$W/cap.pcap" "$HERE/capture.pcap"

# ---- check the story
F="$HERE/capture.pcap"
tshark -r "$F" -T fields -e frame.number -e frame.time_relative -e ip.src -e tcp.srcport -e tcp.dstport -e tcp.flags.str
inns s nft list ruleset | grep -o 'counter packets [0-9]*' | sed 's/^/firewall drops: /'
n=$(tshark -r "$F" | wc -l)
syns=$(tshark -r "$F" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0 && ip.src==10.78.2.1' | wc -l)
ports=$(tshark -r "$F" -T fields -e tcp.srcport | sort -u | wc -l)
gaps=$(tshark -r "$F" -T fields -e frame.time_delta | awk 'NR>1 { printf "%d ", $1 + 0.5 }')
echo "packets $n, SYNs $syns, source ports $ports, gaps between SYNs (s, rounded): $gaps"
[ "$n" = 4 ] && [ "$syns" = 4 ] && [ "$ports" = 1 ] || { echo "$CASE: expected 4 SYNs from one port and nothing else" >&2; exit 1; }
[ "$gaps" = "1 2 4 " ] || { echo "$CASE: expected backoff 1 s, 2 s, 4 s" >&2; exit 1; }
# lesson.md describes the capture shipped with it (4 packets); a re-run can differ in timing and count
m=$(tshark -r "$HERE/capture.pcap" 2>/dev/null | wc -l)
[ "$m" = 4 ] || echo "$CASE: NOTE: lesson.md describes 4 packets, this capture has $m: update the frame numbers in lesson.md" >&2
echo "$CASE: OK"
