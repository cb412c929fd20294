#!/usr/bin/env bash
# make.sh: a capture of UDP datagrams larger than the MTU, fragmented by the sending
# Linux kernel (IPv4 and IPv6), for the reassembly tests. Two network namespaces joined
# by a veth pair (MTU 1500); traffic never leaves them.
# Needs (Debian): iproute2, tcpdump, python3, ethtool.
set -euo pipefail
cd "$(dirname "$0")"
A=ccl-frag-a B=ccl-frag-b
cleanup() { ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true; }
trap cleanup EXIT
cleanup
ip netns add $A; ip netns add $B
ip link add va netns $A type veth peer name vb netns $B
ip -n $A addr add 10.76.0.1/24 dev va; ip -n $B addr add 10.76.0.2/24 dev vb
ip -n $A addr add fd00:76::1/64 dev va nodad; ip -n $B addr add fd00:76::2/64 dev vb nodad
for ns in $A $B; do ip -n $ns link set lo up; done
ip -n $A link set va up; ip -n $B link set vb up
for x in "$A va" "$B vb"; do set -- $x; ip netns exec $1 ethtool -K $2 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true; done
sleep 1
ip netns exec $B python3 -c '
import socket, select
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s4.bind(("10.76.0.2", 9999))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s6.bind(("fd00:76::2", 9999))
for _ in range(4):
    r, _, _ = select.select([s4, s6], [], [], 5)
    for s in r:
        data, peer = s.recvfrom(65535)
        s.sendto(b"got %d bytes" % len(data), peer)
' &
srv=$!
rm -f capture.pcap
ip netns exec $A tcpdump -i va -w capture.pcap -U 'ip or (ip6 and not dst net ff00::/8)' 2>/dev/null &
dump=$!
sleep 1
ip netns exec $A python3 -c '
import socket, time
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for n in (4000, 2000):
    s4.sendto(bytes((i * 7) & 255 for i in range(n)), ("10.76.0.2", 9999)); s4.recvfrom(100); time.sleep(0.1)
for n in (3000, 1400):
    s6.sendto(bytes((i * 11) & 255 for i in range(n)), ("fd00:76::2", 9999)); s6.recvfrom(100); time.sleep(0.1)
'
sleep 1
kill $dump; wait $dump 2>/dev/null || true
wait $srv 2>/dev/null || true
# The story: the 4000- and 2000-byte IPv4 datagrams and the 3000-byte IPv6 one are
# fragmented; the 1400-byte IPv6 one is not.
n=$(tcpdump -nr capture.pcap 2>/dev/null | wc -l)
frags=$(tcpdump -nr capture.pcap 2>/dev/null | grep -c 'frag\|flags \[+\]' || true)
echo "capture.pcap: $n packets, $frags fragment lines"
[ "$n" -ge 10 ] || { echo "make.sh: expected at least 10 packets" >&2; exit 1; }
