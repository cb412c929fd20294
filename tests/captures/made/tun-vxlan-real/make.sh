#!/usr/bin/env bash
# make.sh: writes capture.pcap, real VXLAN traffic made by the Linux kernel (needs root,
# network namespaces and the vxlan and veth drivers; no outside network). The kernel
# here makes no other tunnel (gre, gretap, erspan, ipip, sit, geneve, ip6tnl, ip6gre:
# "Unknown device type"; no MPLS routing, no PPPoE): those are generated, in
# ../tun-ethernet/.
#
# Two namespaces joined by a veth pair (the underlay: 192.0.2.1/2 and 2001:db8::1/2)
# carry two VXLAN overlays on UDP port 4789: VNI 42 over IPv4 (10.99.0.1/2) and VNI 43
# over IPv6 (fd00:99::1/2); and VNI 44 runs over VNI 42 (10.98.0.1/2: VXLAN in VXLAN,
# two outer IPv4/UDP/VXLAN/Ethernet stacks). A Python HTTP server in B answers GET
# requests from A on new connections: two over VNI 42, two over VNI 43, one over VNI
# 44; then one UDP datagram and its echo over VNI 42 (a UDP conversation inside the
# tunnel's). The kernel picks the outer UDP source port from a hash of the inner flow,
# so each inner connection rides its own outer 5-tuples (one per direction): outer
# conversations must not split or merge the inner ones. Neighbour discovery and ARP
# inside the tunnels are frames of the outer UDP conversation only.
# tcpdump captures the underlay side of the veth in A. The oracle is
# tests/oracle/made-tun-vxlan-real.pcap/ (tests/oracle/make-made-oracles.sh, then
# tests/oracle/make-udp-streams.sh).
set -euo pipefail
cd "$(dirname "$0")"
A=tunA$$ B=tunB$$
cleanup() { ip netns del "$A" 2>/dev/null || true; ip netns del "$B" 2>/dev/null || true; rm -rf "$PWD/.www"; }
trap cleanup EXIT
ip netns add "$A"; ip netns add "$B"
ip link add vxu0 netns "$A" type veth peer name vxu1 netns "$B"
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
ip -n "$A" addr add 192.0.2.1/24 dev vxu0; ip -n "$B" addr add 192.0.2.2/24 dev vxu1
ip -n "$A" addr add 2001:db8::1/64 dev vxu0 nodad; ip -n "$B" addr add 2001:db8::2/64 dev vxu1 nodad
ip -n "$A" link set vxu0 up; ip -n "$B" link set vxu1 up
ip -n "$A" link add vx42 type vxlan id 42 dstport 4789 local 192.0.2.1 remote 192.0.2.2
ip -n "$B" link add vx42 type vxlan id 42 dstport 4789 local 192.0.2.2 remote 192.0.2.1
ip -n "$A" link add vx43 type vxlan id 43 dstport 4789 local 2001:db8::1 remote 2001:db8::2
ip -n "$B" link add vx43 type vxlan id 43 dstport 4789 local 2001:db8::2 remote 2001:db8::1
ip -n "$A" addr add 10.99.0.1/24 dev vx42; ip -n "$B" addr add 10.99.0.2/24 dev vx42
ip -n "$A" addr add fd00:99::1/64 dev vx43 nodad; ip -n "$B" addr add fd00:99::2/64 dev vx43 nodad
for ns in "$A" "$B"; do ip -n "$ns" link set vx42 up; ip -n "$ns" link set vx43 up; done
ip -n "$A" link add vx44 type vxlan id 44 dstport 4789 local 10.99.0.1 remote 10.99.0.2
ip -n "$B" link add vx44 type vxlan id 44 dstport 4789 local 10.99.0.2 remote 10.99.0.1
ip -n "$A" addr add 10.98.0.1/24 dev vx44; ip -n "$B" addr add 10.98.0.2/24 dev vx44
for ns in "$A" "$B"; do ip -n "$ns" link set vx44 up; done
sleep 1
# --immediate-mode: without it the last packets can sit in the kernel's buffer when
# tcpdump is stopped.
ip netns exec "$A" tcpdump -i vxu0 -w capture.pcap -U --immediate-mode -s 0 'udp port 4789' 2>/dev/null &
dump=$!
mkdir -p "$PWD/.www"; printf 'hello over vxlan\n' > "$PWD/.www/index.txt"
ip netns exec "$B" python3 -m http.server 8080 --bind :: --directory "$PWD/.www" >/dev/null 2>&1 &
srv=$!
ip netns exec "$B" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.99.0.2", 9999)); s.settimeout(20)
d, a = s.recvfrom(100); s.sendto(d.upper(), a)' &
echo_srv=$!
sleep 1.5
get() { ip netns exec "$A" python3 -c "
import urllib.request
urllib.request.urlopen('http://$1:8080/index.txt', timeout=5).read()"; }
get 10.99.0.2; get 10.99.0.2
get '[fd00:99::2]'; get '[fd00:99::2]'
get 10.98.0.2
ip netns exec "$A" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
s.sendto(b"ping over vxlan", ("10.99.0.2", 9999)); s.recvfrom(100)'
wait "$echo_srv"
sleep 1
kill "$srv" "$dump" 2>/dev/null || true
wait "$dump" 2>/dev/null || true
echo "make.sh: wrote capture.pcap ($(stat -c %s capture.pcap) bytes)" >&2
