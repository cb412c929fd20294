#!/usr/bin/env bash
# make.sh — record cases/redis-pubsub/capture.pcap: Redis publish/subscribe.
#
# redis-server runs in the server namespace (10.77.0.2:6379). A redis-cli in the client
# namespace SUBSCRIBEs to the channel "news" and stays connected; a second redis-cli then
# PUBLISHes two messages on "news", one connection each, and the subscriber is stopped with
# SIGTERM (a background job of a script ignores SIGINT). The capture shows the server pushing messages nobody asked for on the subscriber's
# connection: after SUBSCRIBE, the reply stream is no longer request/response.
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, redis-server, redis-tools.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_need redis-server:redis-server redis-cli:redis-tools
cca_up rps

cca_bg "$NS" redis-server --bind "$SRV_IP" --port 6379 --protected-mode no --save '' --appendonly no \
    --dir "$W" --logfile "$W/redis.log"
cca_wait_port "$NS" 6379
cca_capture_start "tcp port 6379"
ip netns exec "$NC" redis-cli -h "$SRV_IP" subscribe news > "$W/sub.out" &
SUB=$!
sleep 0.5
cli redis-cli -h "$SRV_IP" publish news "hello, subscribers" > "$W/pub1.out"
sleep 0.5
cli redis-cli -h "$SRV_IP" publish news "second message" > "$W/pub2.out"
sleep 0.5
kill -TERM "$SUB"; wait "$SUB" 2>/dev/null || true
cca_capture_stop "$HERE/capture.pcap"
cat "$W/sub.out"
grep -q '^1$' "$W/pub1.out" || cca_fail "the first PUBLISH did not reach one subscriber"
grep -q 'second message' "$W/sub.out" || cca_fail "the subscriber did not get the second message"
tshark -r "$HERE/capture.pcap"
