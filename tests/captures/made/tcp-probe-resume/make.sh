#!/usr/bin/env bash
# make.sh: records capture.pcap, Wireshark's rule "a segment longer than one byte that
# starts one below the next expected sequence number is not a retransmission" (its user
# guide, "TCP Retransmission"; Wireshark issue 15427) on real stacks. Needs root and
# slirp4netns (Debian package; nothing leaves this machine: slirp's host side is
# 127.0.0.1).
#
# The sender is libslirp's TCP (BSD-derived, run by slirp4netns for a network namespace):
# it probes a closed window with one byte of new data at SND.NXT every 5 s (RFC 9293
# section 3.8.6.1), as BSD, macOS and Windows do; Linux probes with no data at SND.UNA-1,
# which Wireshark calls a keep-alive. The receiver is Linux, in the namespace, with
# SO_RCVBUF 2304, not reading for 12 s. Captured on the namespace's tap0 (so the probe's
# byte is seen), then the receiver's first zero-window ACK is removed with editcap, as a
# capture that missed one segment: tshark then counts the first probe's byte as sent
# data (it did not see the window close), the second probe is a keep-alive (one byte at
# next-1), and the 1440 bytes sent when the window opens start one below the next
# expected number: new data, no label in tshark; chattcp before the rule called it a
# retransmission. Then writes the tshark oracle (tests/oracle/make-made-oracles.sh).
set -euo pipefail
cd "$(dirname "$0")"
HERE=$PWD
[ "$(id -u)" = 0 ] || { echo "make.sh: needs root (network namespaces)" >&2; exit 2; }
for c in slirp4netns tcpdump tshark editcap; do command -v $c >/dev/null || { echo "make.sh: $c missing" >&2; exit 2; }; done
NS=chattcp-probe PORT=7173
W=$(mktemp -d /tmp/chattcp-probe.XXXXXX)
PIDS=()
cleanup() {
	set +e
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT INT TERM
ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
python3 "$HERE/server.py" $PORT 60000 > "$W/server.out" 2>&1 & PIDS+=($!)
ip netns exec "$NS" sleep 120 & PIDS+=($!)
slirp4netns --configure --mtu=1500 --netns-type=path "/run/netns/$NS" tap0 > "$W/slirp.log" 2>&1 & PIDS+=($!)
for i in $(seq 100); do ip -n "$NS" addr show tap0 2>/dev/null | grep -q 10.0.2.100 && break; sleep 0.05; done
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec "$NS" tcpdump -i tap0 -U --immediate-mode -w "$W/whole.pcap" "tcp port $PORT" 2> "$W/tcpdump.err" &
TD=$!
for i in $(seq 100); do grep -q "listening on" "$W/tcpdump.err" 2>/dev/null && break; sleep 0.05; done
sleep 0.2
ip netns exec "$NS" python3 "$HERE/client.py" $PORT
sleep 0.5
kill -INT $TD; wait $TD || true
f() { tshark -r "$1" -o tcp.relative_sequence_numbers:TRUE -Y "$2" -T fields -e frame.number 2>/dev/null; }
# the receiver's first zero-window ACK
zw=$(f "$W/whole.pcap" "tcp.analysis.zero_window && tcp.srcport != $PORT" | head -1)
[ -n "$zw" ] || { echo "make.sh: CHECK FAILED: no zero window" >&2; exit 1; }
[ "$(f "$W/whole.pcap" "tcp.analysis.zero_window_probe && tcp.len == 1" | wc -l)" -ge 2 ] ||
	{ echo "make.sh: CHECK FAILED: fewer than two one-byte probes" >&2; exit 1; }
editcap "$W/whole.pcap" "$HERE/capture.pcap" "$zw"
chmod 644 "$HERE/capture.pcap"
n=$(f capture.pcap "tcp.len > 1 && tcp.srcport == $PORT && !tcp.analysis.retransmission" | wc -l)
[ "$(f capture.pcap "tcp.analysis.keep_alive && tcp.len == 1" | wc -l)" -ge 1 ] ||
	{ echo "make.sh: CHECK FAILED: the second probe is not one byte at next-1" >&2; exit 1; }
../../../oracle/make-made-oracles.sh
echo "capture.pcap: frame $zw of whole.pcap removed; $(f capture.pcap tcp | wc -l) packets, $n data segments"
