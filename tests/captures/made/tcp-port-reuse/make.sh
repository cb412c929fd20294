#!/usr/bin/env bash
# make.sh: records capture.pcap, three TCP connections from one client port (40000) to
# one server port (8000), between two network namespaces (cases/lib-netns.sh: veth, MTU
# 1500, offloads off; nothing leaves them). Needs root, nftables. See client.py for the
# story; the client has TCP timestamps off (so the server's TIME_WAIT judges a new SYN by
# its sequence number alone, RFC 9293 section 3.10.7.4 / RFC 6191). Snap length 128: the
# 1 MB upload is kept as headers. Then writes the tshark oracle
# (tests/oracle/make-made-oracles.sh) and checks that the capture shows the story.
set -euo pipefail
cd "$(dirname "$0")"
HERE=$PWD
. ../../../../cases/lib-netns.sh
cca_up reuse
cca_need nft:nftables
ip netns exec "$NC" sysctl -qw net.ipv4.tcp_timestamps=0
cca_bg "$NS" /usr/bin/python3 "$HERE/server.py" 8000
cca_wait_port "$NS" 8000
cat > "$W/hold.nft" <<'NFT'
table inet hold {
	chain in {
		type filter hook input priority 0; policy accept;
		tcp dport 8000 tcp flags & (fin | syn | rst | psh | ack) == ack drop
	}
}
NFT
HOLD="ip netns exec $NS nft -f $W/hold.nft"
RELEASE="ip netns exec $NS nft delete table inet hold"
ip netns exec "$NC" tcpdump -i c0 -s 128 -U --immediate-mode -Z root -w "$W/capture.pcap" "tcp port 8000" 2>"$W/tcpdump.err" &
CCA_TCPDUMP_PID=$!
for i in $(seq 100); do grep -q "listening on" "$W/tcpdump.err" 2>/dev/null && break; sleep 0.05; done
sleep 0.2
cli /usr/bin/python3 "$HERE/client.py" "$SRV_IP" 8000 40000 "$HOLD" "$RELEASE"
cca_capture_stop "$HERE/capture.pcap"
f() { tshark -r capture.pcap -o tcp.relative_sequence_numbers:TRUE -Y "$1" 2>/dev/null | wc -l; }
[ "$(f 'tcp.flags.syn==1 && tcp.flags.ack==1 && tcp.analysis.reused_ports')" -ge 1 ] ||
	cca_fail "no SYN+ACK labelled reused_ports (the server's TIME_WAIT accepted the SYN?)"
[ "$(f 'tcp.flags.syn==1 && tcp.flags.ack==1 && tcp.analysis.retransmission')" -ge 1 ] ||
	cca_fail "no retransmitted SYN+ACK"
[ "$(f 'tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.analysis.reused_ports')" -ge 2 ] ||
	cca_fail "fewer than two SYNs labelled reused_ports"
../../../oracle/make-made-oracles.sh
echo "capture.pcap: $(f tcp) packets"
