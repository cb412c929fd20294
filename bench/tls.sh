#!/usr/bin/env bash
# bench/tls.sh: what decrypting costs (issue 15: decrypting and decoding a TLS capture
# at most 3x the clear-text decode of the same traffic).
#
#   bench/tls.sh [MB]        (default 64: the size of the file downloaded)
#
# Makes, in a network namespace it deletes on exit (root; iproute2 tcpdump openssl
# python3 curl), two captures of the same download of an MB-byte file: over plain
# HTTP (python3 -m http.server) and over TLS 1.3 AES-128-GCM (openssl s_server -WWW,
# curl writing its key log), both at 200 MB/s so tcpdump on loopback drops nothing,
# into BENCH_DATA (default bench/data; reused when there). Then times, RUNS
# times each (median wall seconds), `chattcp http` on the clear capture, `chattcp http
# --keylog` on the TLS one, and `chattcp http` on the TLS one without keys, and prints
# the ratio decrypted / clear. Measured on the 2-core test machine (2026-12-07), 64 MB:
# clear 0.231 s, decrypted 0.214 s, TLS without keys 0.065 s: ratio 0.93.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
MB=${1:-64}
RUNS=${RUNS:-3}
CHATTCP=${CHATTCP:-build/chattcp}
D=${BENCH_DATA:-bench/data}
mkdir -p "$D"
[ "$(id -u)" = 0 ] || { echo "bench/tls.sh: needs root (network namespace)" >&2; exit 2; }
NS=ccp-tlsbench
W=$(mktemp -d /tmp/tls-bench.XXXXXX)
ip netns del $NS 2>/dev/null || true
ip netns add $NS
trap 'ip netns pids $NS 2>/dev/null | xargs -r kill 2>/dev/null; sleep 0.3; ip netns del $NS; rm -rf "$W"' EXIT
ip -n $NS link set lo up
head -c $((MB << 20)) /dev/urandom > "$W/file.bin"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/key.pem" -out "$W/cert.pem" -days 30 -subj /CN=example.com 2>/dev/null
capture() { # capture OUT PORT CMD...
	local out=$1 port=$2; shift 2
	ip netns exec $NS tcpdump -i lo -U --immediate-mode -B 131072 -s 0 -w "$out" "tcp port $port" 2>/dev/null &
	local td=$!
	sleep 0.7
	ip netns exec $NS "$@" > /dev/null 2>&1 || true
	sleep 1
	kill -INT $td; wait $td 2>/dev/null || true
}
if [ ! -s "$D/tls-$MB.pcap" ] || [ ! -s "$D/clear-$MB.pcap" ]; then
	(cd "$W" && exec ip netns exec $NS python3 -m http.server 8080 --bind 127.0.0.1 > /dev/null 2>&1) &
	(cd "$W" && exec ip netns exec $NS openssl s_server -accept 127.0.0.1:4433 -WWW -cert cert.pem -key key.pem \
		-ciphersuites TLS_AES_128_GCM_SHA256 > /dev/null 2>&1) &
	sleep 1
	capture "$D/clear-$MB.pcap" 8080 curl -s --limit-rate 200M -o /dev/null http://127.0.0.1:8080/file.bin
	rm -f "$D/tls-$MB.keys"
	capture "$D/tls-$MB.pcap" 4433 env SSLKEYLOGFILE="$D/tls-$MB.keys" curl -sk --limit-rate 200M --tlsv1.3 -o /dev/null \
		https://127.0.0.1:4433/file.bin
fi
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
timeit() { # prints the median wall seconds of RUNS runs of the command
	for _ in $(seq "$RUNS"); do
		local t0=$EPOCHREALTIME
		"$@" > /dev/null
		echo "$EPOCHREALTIME $t0" | awk '{ printf "%.3f\n", $1 - $2 }'
	done | median
}
clear=$(timeit "$CHATTCP" http "$D/clear-$MB.pcap")
dec=$(timeit "$CHATTCP" http --keylog "$D/tls-$MB.keys" "$D/tls-$MB.pcap")
nokeys=$(timeit "$CHATTCP" http "$D/tls-$MB.pcap")
echo "| capture | command | median s |"
echo "| --- | --- | --- |"
echo "| clear-$MB.pcap ($(stat -c %s "$D/clear-$MB.pcap") B) | http | $clear |"
echo "| tls-$MB.pcap ($(stat -c %s "$D/tls-$MB.pcap") B) | http --keylog | $dec |"
echo "| tls-$MB.pcap | http (no keys) | $nokeys |"
echo "decrypted / clear: $(awk -v a="$dec" -v b="$clear" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') (issue 15: at most 3)"
"$CHATTCP" http --keylog "$D/tls-$MB.keys" "$D/tls-$MB.pcap" | head -2
