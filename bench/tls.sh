#!/usr/bin/env bash
# bench/tls.sh: what decrypting costs (issue 15: "decrypting and decoding a TLS capture
# costs at most 3x the clear-text decode of the same traffic").
#
#   sudo bench/tls.sh            (root: a network namespace, deleted on exit)
#
# Makes three captures of the SAME traffic, in a network namespace on its loopback,
# with nginx and one curl per capture: N (default 200) HTTP/1.1 GETs over one
# keep-alive connection, for 16 files of 1 kB - 2 MB (half random bytes, half text that
# nginx sends gzip'd; curl --compressed), in a fixed order. Once over http://, once over
# https:// with TLS 1.3 TLS_AES_128_GCM_SHA256, once with TLS 1.2
# ECDHE-RSA-AES128-GCM-SHA256; curl writes its key log (SSLKEYLOGFILE). The captures go to
# BENCH_DATA (default bench/data, not committed) and are reused when there (delete them to
# remake). A capture in which tcpdump dropped packets is refused.
#
# Then the check that the comparison is honest: on every capture `http --json` must give
# the same N (method, uri, status) in the same order, and `export --files` the same file
# names with the same sha256. Then times `chattcp http`, `chattcp stats` and
# `chattcp export --files DIR` on each capture (the TLS ones with --keylog), RUNS times
# (default 5), keeping the best user+sys and the best wall seconds, and prints a table
# with the ratio TLS / clear per command. The machine's load average is printed too:
# on a shared machine judge the CPU ratios, not the absolute seconds.
#
# Environment: CHATTCP (default build/chattcp), BENCH_DATA, RUNS, N.
# Needs iproute2 ethtool tcpdump nginx curl openssl jq. Output: stdout and BENCH_DATA/tls-last-run.md.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
CHATTCP=${CHATTCP:-build/chattcp}
D=${BENCH_DATA:-bench/data}
RUNS=${RUNS:-5}
N=${N:-200}
NS=ccp-tlsbench
die() { echo "bench/tls.sh: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (network namespace, capturing)"
[ -x "$CHATTCP" ] || die "$CHATTCP is not built (make)"
for t in ip ethtool tcpdump nginx curl openssl jq; do
	command -v $t > /dev/null || die "needs $t"
done
mkdir -p "$D"
D=$(cd "$D" && pwd)
W=$(mktemp -d /tmp/tls-bench.XXXXXX)
chmod 755 "$W"   # nginx's worker (nobody) reads the files
cp "$CHATTCP" "$W/chattcp"   # a make running meanwhile cannot change what is timed
cleanup() {
	set +e
	ip netns pids $NS 2> /dev/null | xargs -r kill 2> /dev/null
	sleep 0.3
	ip netns del $NS 2> /dev/null
	rm -rf "$W"
}
trap cleanup EXIT

CAPS="clear tls13 tls12"
have=1
for c in $CAPS; do [ -s "$D/bench-$c.pcap" ] || have=0; done
if [ $have = 0 ]; then
	ip netns del $NS 2> /dev/null || true
	ip netns add $NS
	# segments as on a real link (1500-byte MTU, no TSO/GSO): records span segments, and
	# the packet count is a real one's (~1460 bytes a segment, not 64 kB)
	ip -n $NS link set lo mtu 1500 up
	ip netns exec $NS ethtool -K lo tso off gso off > /dev/null 2>&1 || die "ethtool -K lo tso off gso off failed"
	# the files: sizes 1 kB - 2 MB, .bin random (sent as is), .txt text (sent gzip'd)
	mkdir -p "$W/www"
	FILES=()
	for kb in 1 4 16 64 256 512 1024 2048; do
		head -c $((kb << 10)) /dev/urandom > "$W/www/r$kb.bin"
		awk -v n=$((kb << 10)) 'BEGIN { while (t < n) { s = "line " ++i ": the quick brown fox jumps over the lazy dog"
			print s; t += length(s) + 1 } }' > "$W/www/t$kb.txt"
		truncate -s $((kb << 10)) "$W/www/t$kb.txt"
		FILES+=("r$kb.bin" "t$kb.txt")
	done
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/key.pem" -out "$W/cert.pem" -days 30 \
		-subj /CN=example.com -addext subjectAltName=DNS:example.com 2> /dev/null
	cat > "$W/nginx.conf" << CONF
daemon off;
worker_processes 1;
error_log $W/nginx.err;
pid $W/nginx.pid;
events { worker_connections 64; }
http {
	access_log off;
	types { text/plain txt; application/octet-stream bin; }
	gzip on;
	gzip_types text/plain;
	gzip_min_length 100;
	keepalive_requests 100000;
	server {
		listen 127.0.0.1:8080;
		listen 127.0.0.1:8443 ssl;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_certificate $W/cert.pem;
		ssl_certificate_key $W/key.pem;
		root $W/www;
	}
}
CONF
	ip netns exec $NS nginx -c "$W/nginx.conf" > /dev/null 2>&1 &
	sleep 1
	# one curl config per scheme: N transfers in a fixed order over one connection
	for scheme in http https; do
		port=8080; [ $scheme = https ] && port=8443
		for i in $(seq 0 $((N - 1))); do
			echo "url = \"$scheme://example.com:$port/${FILES[$(((i * 7) % 16))]}\""
			echo 'output = "/dev/null"'
		done > "$W/curl-$scheme.conf"
	done
	capture() { # capture NAME SCHEME CURL-OPTIONS...
		local name=$1 scheme=$2 port=8080; shift 2
		[ "$scheme" = https ] && port=8443
		rm -f "$D/bench-$name.pcap" "$D/bench-$name.keys"
		ip netns exec $NS tcpdump -i lo -U -B 262144 -s 0 -w "$D/bench-$name.pcap" "tcp port $port" \
			2> "$W/tcpdump-$name.err" &
		local td=$! i
		# capturing once it says so (a fixed sleep can miss the SYN on a loaded machine)
		for i in $(seq 100); do grep -qs '^listening on' "$W/tcpdump-$name.err" && break; sleep 0.1; done
		sleep 0.2
		# 100 MB/s per transfer: loopback at full speed outruns tcpdump's buffer
		SSLKEYLOGFILE=$D/bench-$name.keys ip netns exec $NS curl -sS -k --compressed --limit-rate 100M \
			--resolve example.com:$port:127.0.0.1 "$@" -K "$W/curl-$scheme.conf" ||
			die "curl failed for $name"
		sleep 1
		kill -INT $td
		wait $td 2> /dev/null || true
		grep -q '^0 packets dropped by kernel' "$W/tcpdump-$name.err" ||
			die "tcpdump dropped packets making $name: $(grep dropped "$W/tcpdump-$name.err" | head -1)"
		[ -s "$D/bench-$name.keys" ] || rm -f "$D/bench-$name.keys"
		echo "made $D/bench-$name.pcap: $(stat -c %s "$D/bench-$name.pcap") bytes" >&2
	}
	capture clear http
	capture tls13 https --tlsv1.3 --tls13-ciphers TLS_AES_128_GCM_SHA256
	capture tls12 https --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256
	ip netns pids $NS | xargs -r kill
fi
# keys CAPTURE: K=(--keylog FILE) for a TLS capture, empty for the clear one
keys() { K=(); [ "$1" = clear ] || K=(--keylog "$D/bench-$1.keys"); }

# the comparison is honest: the same exchanges and the same exported files in every capture
for c in $CAPS; do
	keys "$c"
	"$W/chattcp" http --json "${K[@]}" "$D/bench-$c.pcap" |
		jq -r '[.request.method, .request.uri, (.response.status // "none" | tostring)] | join(" ")' \
		> "$W/http-$c.txt"
	rm -rf "$W/x"
	"$W/chattcp" export "${K[@]}" "$D/bench-$c.pcap" --files "$W/x" --json |
		jq -r '.name + " " + .sha256' | sort > "$W/export-$c.txt"
	n=$(grep -c ' 200$' "$W/http-$c.txt" || true)
	[ "$n" = "$N" ] || die "bench-$c.pcap: $n exchanges answered 200, expected $N"
	[ "$(wc -l < "$W/export-$c.txt")" = "$N" ] || die "bench-$c.pcap: $(wc -l < "$W/export-$c.txt") files exported, expected $N"
done
# each capture holds the whole connection, and the TLS ones the version and suite asked for
want() {
	case $1 in
	clear) echo "handshake: complete" ;;
	tls13) echo "TLS 1.3 handshake with example.com (TLS_AES_128_GCM_SHA256 (0x1301))" ;;
	tls12) echo "TLS 1.2 handshake with example.com (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f))" ;;
	esac
}
for c in $CAPS; do
	want=$(want "$c")
	"$W/chattcp" diag "$D/bench-$c.pcap" | tr -s ' \n' '  ' > "$W/diag-$c.txt"
	grep -qF "handshake: complete" "$W/diag-$c.txt" || die "bench-$c.pcap: the TCP handshake is missing (delete it to remake)"
	grep -qF "$want" "$W/diag-$c.txt" || die "bench-$c.pcap: diag does not say \"$want\""
done
for c in tls13 tls12; do
	sed 's,^\(GET\) [a-z]*://[^/]*/,\1 /,' "$W/http-clear.txt" > "$W/a"
	sed 's,^\(GET\) [a-z]*://[^/]*/,\1 /,' "$W/http-$c.txt" > "$W/b"
	cmp -s "$W/a" "$W/b" || die "http: bench-$c.pcap's exchanges differ from bench-clear.pcap's"
	cmp -s "$W/export-clear.txt" "$W/export-$c.txt" || die "export: bench-$c.pcap's files differ from bench-clear.pcap's"
done
echo "checked: $N identical exchanges and $N identical exported files (sha256) in each capture" >&2

# best CMD...: the best user+sys and the best wall seconds of RUNS runs ("cpu wall")
best() {
	local i
	for i in $(seq "$RUNS"); do
		rm -rf "$W/x"
		# bash's time: getrusage to the millisecond (/usr/bin/time rounds to 10 ms)
		{ TIMEFORMAT='%3U %3S %3R'; time "$@" > /dev/null 2> "$W/err" || die "failed: $* ($(head -1 "$W/err"))"; } 2> "$W/time"
		awk '{ printf "%.3f %.3f\n", $1 + $2, $3 }' "$W/time"
	done | awk 'NR == 1 || $1 < c { c = $1 } NR == 1 || $2 < w { w = $2 } END { printf "%.3f %.3f\n", c, w }'
}
OUT=$D/tls-last-run.md
{
	echo "bench/tls.sh, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "$N GETs over one keep-alive connection, best of $RUNS (user+sys, wall)"
	echo
	echo "| command | capture | size | cpu s | wall s | cpu / clear | wall / clear |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	for cmd in http stats export; do
		for c in $CAPS; do
			args=("$cmd")
			[ $cmd = export ] && args+=(--files "$W/x")
			keys "$c"
			read -r cpu wall < <(best "$W/chattcp" "${args[@]}" "${K[@]}" "$D/bench-$c.pcap")
			[ "$c" = clear ] && { ccpu=$cpu; cwall=$wall; }
			label=$cmd; [ "$c" != clear ] && label="$cmd --keylog"
			[ $cmd = export ] && label="$label --files DIR"
			awk -v l="$label" -v c="bench-$c.pcap" -v s="$(($(stat -c %s "$D/bench-$c.pcap") >> 20)) MB" \
				-v cpu="$cpu" -v wall="$wall" -v cc="$ccpu" -v cw="$cwall" \
				'BEGIN { printf "| %s | %s | %s | %.3f | %.3f | %.2f | %.2f |\n", l, c, s, cpu, wall,
					(cc > 0 ? cpu / cc : 0), (cw > 0 ? wall / cw : 0) }'
		done
	done
	echo
	echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) (issue 15: TLS / clear at most 3)"
} | tee "$OUT"
