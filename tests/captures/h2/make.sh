#!/usr/bin/env bash
# make.sh: records the HTTP/2 captures here by real programs on 127.0.0.1 inside a
# network namespace made here (ccp-h2) and deleted on exit; nothing leaves it. Each
# TLS capture NAME.pcap has the key log NAME.keys the client wrote (SSLKEYLOGFILE).
# The files served are made here from a fixed seed, and their SHA-256 go to
# files.sha256 (tests/suite/oracle-h2 checks exported bodies against them).
# Needs root and the Debian packages iproute2 tcpdump openssl curl nginx-light
# nghttp2-client nghttp2-server python3-h2.
#   h2-tls-parallel   nginx `listen ssl http2`, curl --http2 --parallel: three streams
#                     at once in one connection (a page, a 200 kB body in many DATA
#                     frames, a gzip'd text), ALPN h2, TLS 1.3 (the others TLS 1.2)
#   h2-tls-goaway     nginx keepalive_requests 2, curl asks three times in a row: GOAWAY
#                     NO_ERROR after the second, the third on a new connection
#   h2-tls-cancel     h2peer.py cancel-client: asks for the 200 kB body, resets it
#                     (RST_STREAM CANCEL) after its first DATA, then asks for the page
#   h2c-refused       nginx http2_max_concurrent_streams 1, nghttp asks for three at once
#                     (nginx refuses the extra streams: RST_STREAM REFUSED_STREAM)
#   h2c-prior         nginx `listen http2` without TLS, curl --http2-prior-knowledge: a GET,
#                     then a POST of a 20 kB body on a second connection (nginx answers 405;
#                     curl 7.88 drops a second prior-knowledge transfer on a reused connection)
#   h2c-upgrade       h2peer.py upgrade-server (nghttpd does not take Upgrade), curl --http2 on http://: HTTP/1.1 Upgrade: h2c,
#                     101, then stream 1 answers the upgraded request
#   h2c-push          nghttpd --no-tls -p pushes /style.css with /index.html; nghttp
#   h2c-grpc          h2peer.py grpc-client and grpc-server: a gRPC call of two messages
#                     each way, the answer ending in trailers (grpc-status)
#   h2c-window        nghttp -w 14 -W 14 (16 kB windows) on the 200 kB body: many
#                     WINDOW_UPDATEs, the server waits on zero windows
# ONLY=NAME ./make.sh records that capture alone (the others are kept).
set -euo pipefail
cd "$(dirname "$0")"
[ "$(id -u)" = 0 ] || { echo "make.sh: needs root" >&2; exit 2; }
NS=ccp-h2
W=$(mktemp -d /tmp/h2-make.XXXXXX)
chmod 755 "$W"
ip netns del $NS 2>/dev/null || true
ip netns add $NS
trap 'ip netns pids $NS 2>/dev/null | xargs -r kill 2>/dev/null; sleep 0.3; ip netns del $NS; rm -rf "$W"' EXIT
ip -n $NS link set lo up
X() { ip netns exec $NS "$@"; }

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/key.pem" -out "$W/cert.pem" -days 3650 \
	-subj "/CN=example.com/O=chattcp test" -addext "subjectAltName=DNS:example.com" 2>/dev/null

# The site: fixed bytes (a seeded generator), so a re-made capture serves the same files.
mkdir -p "$W/www"
python3 - "$W/www" <<'PY'
import random, sys, os
d = sys.argv[1]
r = random.Random(15)
open(os.path.join(d, "index.html"), "w").write(
    "<!doctype html><title>h2</title><link rel=stylesheet href=/style.css><p>chattcp HTTP/2 test page\n")
open(os.path.join(d, "style.css"), "w").write("p { color: #333; }\n" * 20)
open(os.path.join(d, "big.bin"), "wb").write(bytes(r.getrandbits(8) for _ in range(200000)))
words = ["stream", "frame", "window", "header", "settings", "push", "ping", "goaway", "data"]
open(os.path.join(d, "text.txt"), "w").write(" ".join(r.choice(words) for _ in range(6000)) + "\n")
open(os.path.join(d, "post.bin"), "wb").write(bytes(r.getrandbits(8) for _ in range(20000)))
PY
(cd "$W/www" && sha256sum index.html style.css big.bin text.txt) > files.sha256
chmod -R a+rX "$W"

# nginx conf: one server per port; $1 port, $2 listen flags, $3 extra directives
nginx_conf() {
	cat > "$W/nginx-$1.conf" <<CONF
daemon off;
worker_processes 1;
error_log $W/nginx-$1.err;
pid $W/nginx-$1.pid;
events { worker_connections 64; }
http {
	access_log off;
	types { text/html html; text/css css; text/plain txt; application/octet-stream bin; }
	gzip on;
	gzip_types text/plain;
	gzip_min_length 100;
	client_body_temp_path $W/body-$1;
	$3
	server {
		listen 127.0.0.1:$1 $2;
		ssl_certificate $W/cert.pem;
		ssl_certificate_key $W/key.pem;
		root $W/www;
	}
}
CONF
}

PORT=8440
# record NAME SERVER-COMMAND... -- CLIENT-COMMAND...: one capture (and its key log).
record() {
	local name=$1; shift
	local scmd=()
	PORT=$((PORT + 1))
	while [ "$1" != -- ]; do scmd+=("$1"); shift; done
	shift
	if [ -n "${ONLY:-}" ] && [ "$ONLY" != "$name" ]; then return 0; fi
	rm -f "$name.pcap" "$name.keys"
	scmd=("${scmd[@]//@PORT@/$PORT}")
	ip netns exec $NS tcpdump -i lo -U --immediate-mode -s 0 -w "$name.pcap" "tcp port $PORT" 2>/dev/null &
	local td=$!
	sleep 0.7
	ip netns exec $NS "${scmd[@]}" >/dev/null 2>&1 &
	local sv=$!
	sleep 0.7
	local cmd=("$@")
	cmd=("${cmd[@]//@PORT@/$PORT}")
	SSLKEYLOGFILE=$PWD/$name.keys X "${cmd[@]}" >/dev/null 2>&1 || true
	sleep 1
	kill $sv 2>/dev/null || true
	wait $sv 2>/dev/null || true
	kill -INT $td || true
	wait $td 2>/dev/null || true
	[ -s "$name.keys" ] || rm -f "$name.keys"
	echo "$name.pcap: $(tcpdump -r "$name.pcap" 2>/dev/null | wc -l) packets"
}
CURL=(curl -sk --resolve example.com:@PORT@:127.0.0.1 -o /dev/null)
U=https://example.com:@PORT@

nginx_conf 8441 "ssl http2" "ssl_protocols TLSv1.3;"
record h2-tls-parallel nginx -c "$W/nginx-8441.conf" -- "${CURL[@]}" --http2 --parallel --compressed \
	"$U/index.html" "$U/big.bin" "$U/text.txt"
nginx_conf 8442 "ssl http2" "keepalive_requests 2;"
record h2-tls-goaway nginx -c "$W/nginx-8442.conf" -- sh -c "curl -sk --resolve example.com:@PORT@:127.0.0.1 --http2 \
	-o /dev/null $U/index.html -o /dev/null $U/style.css -o /dev/null $U/text.txt"
nginx_conf 8443 "ssl http2" ""
record h2-tls-cancel nginx -c "$W/nginx-8443.conf" -- /usr/bin/python3 "$PWD/h2peer.py" cancel-client @PORT@
nginx_conf 8444 "http2" "http2_max_concurrent_streams 1;"
record h2c-refused nginx -c "$W/nginx-8444.conf" -- nghttp -n --no-dep \
	http://127.0.0.1:@PORT@/index.html http://127.0.0.1:@PORT@/style.css http://127.0.0.1:@PORT@/text.txt
nginx_conf 8445 "http2" ""
record h2c-prior nginx -c "$W/nginx-8445.conf" -- sh -c "curl -s --http2-prior-knowledge -o /dev/null \
	http://127.0.0.1:@PORT@/index.html; curl -s --http2-prior-knowledge -o /dev/null --data-binary @$W/www/post.bin \
	http://127.0.0.1:@PORT@/post"
record h2c-upgrade /usr/bin/python3 "$PWD/h2peer.py" upgrade-server @PORT@ "$W/www" -- curl -s --http2 -o /dev/null http://127.0.0.1:@PORT@/text.txt
record h2c-push nghttpd --no-tls -d "$W/www" -p/index.html=/style.css @PORT@ -- nghttp -n http://127.0.0.1:@PORT@/index.html
record h2c-window nghttpd --no-tls -d "$W/www" @PORT@ -- nghttp -n -w 14 -W 14 http://127.0.0.1:@PORT@/big.bin
record h2c-grpc /usr/bin/python3 "$PWD/h2peer.py" grpc-server @PORT@ -- /usr/bin/python3 "$PWD/h2peer.py" grpc-client @PORT@
