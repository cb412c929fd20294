#!/usr/bin/env bash
# cases/nat-port-clash/make.sh: makes cases/nat-port-clash/capture.pcap
#   Two clients behind one NAT that has a single public port (nftables SNAT to
#   10.78.64.254:40000), one after the other, to the same server:
#     1. client A (10.78.63.1) fetches a page; the server closes first, so the server keeps
#        the connection's 4-tuple (10.78.64.254:40000 <-> 10.78.64.2:8080) in TIME_WAIT for 60 s;
#     2. the NAT forgets the mapping soon after (its TIME_WAIT timeout is set to 1 s here, as an
#        overloaded or short-timeout NAT does), and client B (10.78.65.1) is given the same
#        public port 2 s later. Its SYN lands on the server's TIME_WAIT 4-tuple.
#   Linux accepts such a SYN only when its timestamp is not older than the last one of the old
#   connection (PAWS, RFC 7323) and its sequence number or timestamp is newer (RFC 6191); B's
#   are unrelated to A's, so often they are older and the server answers with the old
#   connection's ACK instead of a SYN+ACK. B answers that with a RST (it matches nothing B
#   knows), the RST ends the server's TIME_WAIT, and B's SYN, resent at once (Linux re-arms its
#   SYN timer to the minimum for exactly this case), is accepted. The script repeats until it
#   records that story.
#     [ccb-nat-port-clash-a] a0 10.78.63.1 --- r0 [..-r: SNAT on r1] r2 --- b0 10.78.65.1 [..-b]
#                                              r1 --- s0 10.78.64.2 [..-s]
#   Capture on s0 (the server's view: both clients are 10.78.64.254:40000 there).
# Needs: root; Debian packages iproute2, nftables, tcpdump, tshark, ethtool, python3.
set -euo pipefail
CASE=nat-port-clash
HERE=$(cd "$(dirname "$0")" && pwd)
CLI_A=10.78.63.1 CLI_B=10.78.65.1 SRV=10.78.64.2 PUB=10.78.64.254 PORT=8080
# shellcheck source-path=SCRIPTDIR source=../lib-ccb.sh
. "$HERE/../lib-ccb.sh"
ccb_need ip:iproute2 nft:nftables tcpdump:tcpdump tshark:tshark ethtool:ethtool python3:python3

attempt() {
	ccb_netns a b r s
	ccb_veth a0 a r0 r
	ccb_veth b0 b r2 r
	ccb_veth s0 s r1 r
	ip -n "$P-a" addr add $CLI_A/24 dev a0
	ip -n "$P-b" addr add $CLI_B/24 dev b0
	ip -n "$P-r" addr add 10.78.63.254/24 dev r0
	ip -n "$P-r" addr add 10.78.65.254/24 dev r2
	ip -n "$P-r" addr add $PUB/24 dev r1
	ip -n "$P-s" addr add $SRV/24 dev s0
	ccb_ifup "a a0" "b b0" "r r0" "r r1" "r r2" "s s0"
	ip -n "$P-a" route add default via 10.78.63.254
	ip -n "$P-b" route add default via 10.78.65.254
	inns r sysctl -qw net.ipv4.ip_forward=1
	inns r nft -f - <<NFT
table ip nat {
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "r1" ip protocol tcp snat to $PUB:40000
  }
}
NFT
	inns r sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_time_wait=1
	cat > "$W/server.py" <<PY
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("$SRV", $PORT)); s.listen(4)
print("listening", flush=True)
while True:
    c, a = s.accept()
    c.recv(100)
    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n")
    c.close()
PY
	cat > "$W/client.py" <<PY
import socket, sys, time
t0 = time.monotonic()
c = socket.create_connection(("$SRV", $PORT), timeout=10)
c.sendall(b"GET / HTTP/1.0\r\n\r\n")
d = c.recv(100)
print(sys.argv[1], round(time.monotonic() - t0, 3), d.split(b"\r\n")[0].decode(), flush=True)
c.close()
PY
	ccb_bg s "$W/server.log" listening python3 "$W/server.py"
	ccb_capture s s0 cap.pcap "tcp port $PORT"
	inns a python3 "$W/client.py" A | tee "$W/clients.out"
	sleep 2
	inns b python3 "$W/client.py" B | tee -a "$W/clients.out"
	ccb_capture_stop 0.3
	kill "${PIDS[@]}" 2>/dev/null || true
	PIDS=() CCB_CAPS=()
	for n in a b r s; do ip netns del "$P-$n" 2>/dev/null || true; done
}

for try in $(seq 12); do
	attempt
	# the story: B's SYN answered by a bare ACK, then B's RST, then the SYN again, accepted
	story=$(tshark -r "$HERE/capture.pcap" -T fields -e tcp.flags.str 2>/dev/null | tr -d '·' | tr '\n' ' ')
	echo "try $try: $story"
	case "$story" in
	*"AF A S A R S AS"*) break ;;
	esac
	[ "$try" = 12 ] && { echo "$CASE: the SYN was accepted each time; run again" >&2; exit 1; }
	rm -rf "$W"
done
grep -q "^B .*200 OK" "$W/clients.out" || { echo "$CASE: client B did not get its page" >&2; exit 1; }
chmod 644 "$HERE/capture.pcap"
tshark -r "$HERE/capture.pcap" -T fields -e frame.number -e frame.time_relative -e ip.src -e tcp.srcport \
	-e tcp.flags.str -e tcp.seq_raw -e tcp.ack_raw -e tcp.len -e tcp.options.timestamp.tsval 2>/dev/null
ccb_done "$(tshark -r "$HERE/capture.pcap" 2>/dev/null | wc -l)"
