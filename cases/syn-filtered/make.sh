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
CLI=10.78.2.1 SRV=10.78.2.2 PORT=8080

# shellcheck source-path=SCRIPTDIR source=../lib-ccb.sh
. "$HERE/../lib-ccb.sh"    # P=ccb-$CASE, work dir W, PIDS, inns, cleanup on exit
ccb_need ip:iproute2 nft:nftables tcpdump:tcpdump tshark:tshark ethtool:ethtool python3:python3

# ---- network: two namespaces, one veth pair, no IPv6 (no router solicitations), offloads off
ccb_two_hosts

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
ccb_capture c c0 cap.pcap "tcp and host $SRV"

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

ccb_capture_stop 0.5

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
ccb_done 4    # lesson.md numbers the 4 packets of the shipped capture
