#!/usr/bin/env bash
# make.sh: records capture.pcap: curl against server.py (python3) and redis-cli -3
# against redis-server, all on 127.0.0.1 inside a network namespace made here
# (ccp-app) and deleted on exit; nothing leaves it. Needs root, Debian packages
# iproute2 tcpdump curl zstd redis-server redis-tools python3.
#   - HTTP keep-alive: GET /zstd (Content-Encoding: zstd), GET /chunked (chunked with a
#     trailer), HEAD, 304, 204, two Range requests (206) with a hole between them
#   - Redis RESP3 (HELLO 3): SET, GET, HGETALL (a map), pipelined PINGs
set -euo pipefail
cd "$(dirname "$0")"
[ "$(id -u)" = 0 ] || { echo "make.sh: needs root" >&2; exit 2; }
NS=ccp-app
ip netns del $NS 2>/dev/null || true
ip netns add $NS
trap 'ip netns pids $NS 2>/dev/null | xargs -r kill 2>/dev/null; sleep 0.3; ip netns del $NS' EXIT
ip -n $NS link set lo up
ip netns exec $NS tcpdump -i lo -U -w capture.pcap 'tcp port 8080 or tcp port 6379' 2>/dev/null &
TCPDUMP=$!
sleep 1
ip netns exec $NS /usr/bin/python3 server.py 8080 &
ip netns exec $NS redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null &
sleep 1
U=http://127.0.0.1:8080
ip netns exec $NS curl -s -o /dev/null $U/zstd -o /dev/null $U/chunked -o /dev/null $U/etag -o /dev/null $U/empty
# two pieces of file.txt with a hole (1000-2999) and a missing tail (6000-)
ip netns exec $NS curl -s -o /dev/null -r 0-999 $U/file.txt
ip netns exec $NS curl -s -o /dev/null -r 3000-5999 $U/file.txt
ip netns exec $NS curl -s -I -o /dev/null $U/file.txt
ip netns exec $NS redis-cli -3 SET greeting hello >/dev/null
ip netns exec $NS redis-cli -3 HSET h a 1 b 2 >/dev/null
ip netns exec $NS redis-cli -3 HGETALL h >/dev/null
printf 'PING\r\nPING\r\nPING\r\n' | ip netns exec $NS redis-cli -3 >/dev/null
sleep 1
kill -INT $TCPDUMP || true
sleep 1
echo "capture.pcap: $(tcpdump -r capture.pcap 2>/dev/null | wc -l) packets"
