#!/usr/bin/env bash
# bench.sh: how fast the window opens on big inputs (issue 13's non-functional goals;
# not a test: numbers to compare between versions on the same machine). Makes the
# captures of make-bench.py, serves them with build/chattcp ui, and prints for each:
# the time until the connection list, the first bubble and the whole chat show, the rows
# the virtualised list keeps in the page, and the server's peak memory (VmHWM).
set -eu
cd "$(dirname "$0")/../.."
CHATTCP=${CHATTCP:-build/chattcp}
tmp=$(mktemp -d)
trap 'kill -INT "$pid" 2> /dev/null || true; rm -rf "$tmp"' EXIT
python3 tests/ui/make-bench.py "$tmp"
start=$(date +%s%N)
"$CHATTCP" ui "$tmp/long-chat.pcap" "$tmp/many-conns.pcap" --no-open > "$tmp/url" &
pid=$!
while [ ! -s "$tmp/url" ]; do sleep 0.05; done
echo "{\"read_both_ms\": $(( ($(date +%s%N) - start) / 1000000 ))}"
url=$(sed 's/^chattcp: serving on //' "$tmp/url")
node tests/ui/bench.mjs "$url" "$tmp/long-chat.pcap" tcp:0 10007
node tests/ui/bench.mjs "$url" "$tmp/many-conns.pcap" tcp:35000 1
echo "{\"server_peak_rss_kb\": $(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")}"
