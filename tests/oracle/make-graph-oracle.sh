#!/bin/sh
# Makes tests/oracle/graph.tsv: tshark's bytes in flight and ACK RTT per frame of the
# captures the graph group compares with (frame, bytes_in_flight, ack_rtt; empty when
# tshark has none). Run from the repository root; needs tshark (4.0 made the committed one).
set -eu
out=tests/oracle/graph.tsv
: >"$out"
for f in cases/loss-fast-retransmit/capture.pcap cases/out-of-order/capture.pcap tests/captures/rawip-tcp-sack-keepalive.pcap; do
	tshark -r "$f" -Y tcp.stream==0 -T fields -e frame.number -e tcp.analysis.bytes_in_flight -e tcp.analysis.ack_rtt |
		sed "s|^|$f	|" >>"$out"
done
