#!/usr/bin/env bash
# make.sh — record cases/sse-gzip-stuck/capture.pcap: a Server-Sent Events stream sent with
# Content-Encoding: gzip.
#
# server.py (python3, written for this case) answers GET /events with text/event-stream,
# gzip-compressed, chunked. Six events, 0.7 s apart; each is compressed and flushed with
# Z_SYNC_FLUSH into its own HTTP chunk and its own TCP segment. Then the gzip trailer and the
# last chunk. The client is `curl -sN URL | gzip -dc` (curl without --compressed hands the raw
# gzip bytes to gzip): gzip only writes out decompressed text when its 32 KB window fills or the
# stream ends, so the client prints nothing until the end, although every event arrived on time.
# The time each line was printed is kept in client-output.txt.
# Checks: 6 event segments ~0.7 s apart, no "data:" readable on the wire, all 24 lines printed
# only after the last event arrived.
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, curl, gzip, xxd, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_need curl:curl xxd:xxd
cca_up sse

cca_bg "$NS" "$CCA_PY" "$HERE/server.py" 10.77.0.2 8080
cca_wait_port "$NS" 8080
cca_capture_start "tcp port 8080"
t0=$(date +%s.%N)
cli bash -c 'curl -sN http://10.77.0.2:8080/events | gzip -dc | while IFS= read -r l; do echo "$(date +%s.%N) $l"; done' > "$W/out.txt"
cca_capture_stop "$HERE/capture.pcap"
tshark -r "$HERE/capture.pcap" 2>/dev/null

# client-output.txt: seconds since curl started, then the line the client printed
awk -v t0="$t0" '{ t=$1; $1=""; printf "%6.3f s |%s\n", t-t0, substr($0,2) }' "$W/out.txt" > "$HERE/client-output.txt"
cat "$HERE/client-output.txt"

[ "$(grep -c '^ *[0-9.]* s |data: ' "$HERE/client-output.txt")" = 6 ] || cca_fail "client did not print 6 events"
cca_fields "$HERE/capture.pcap" tcp.payload | xxd -r -p | grep -aq 'data: {' && cca_fail "event text readable on the wire"
# the server's data segments after the response headers: 6 events + the final one
mapfile -t seg < <(cca_fields "$HERE/capture.pcap" frame.time_relative ip.src tcp.len | awk -F'|' '$2=="10.77.0.2" && $3>0 {print $1}')
[ ${#seg[@]} = 8 ] || cca_fail "expected 8 server data segments (headers, 6 events, end), got ${#seg[@]}"
first_print=$(awk '{print $1}' "$HERE/client-output.txt" | sort -n | head -1)
awk -v p="$first_print" -v e="${seg[6]}" 'BEGIN{exit !(p > e)}' \
    || cca_fail "client printed something ($first_print s) before the last event arrived (${seg[6]} s)"
cca_expect_count "$HERE/capture.pcap" 24
echo "ok: events left at ${seg[1]}..${seg[6]} s; the client printed its first line at $first_print s"
