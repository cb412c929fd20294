#!/usr/bin/env bash
# make.sh: records the TLS captures here, each NAME.pcap with the key log NAME.keys that
# the client wrote (SSLKEYLOGFILE format), by real programs on 127.0.0.1 inside a
# network namespace made here (ccp-tls) and deleted on exit; nothing leaves it. Needs
# root and the Debian packages iproute2 tcpdump openssl curl.
#   tls12-ecdhe-aes128gcm   curl -> s_server -www, TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256
#   tls12-ecdhe-chacha20    TLS 1.2 ECDHE-RSA-CHACHA20-POLY1305
#   tls12-ecdhe-aes256cbc   TLS 1.2 ECDHE-RSA-AES256-SHA (CBC, encrypt-then-MAC)
#   tls12-rsa-aes128sha256  TLS 1.2 RSA key exchange, AES128-SHA256
#   tls12-resumed           two s_client connections, the second resuming the first
#   tls13-<suite>           curl -> s_server -www with each of the five TLS 1.3 suites
#   tls13-hrr               the client offers a key share the server does not take
#   tls13-keyupdate         s_client sends a KeyUpdate ('k'), then HTTP
#   tls-version-mismatch    the client offers TLS 1.3 only, the server allows only 1.2
#   tls12-expired-cert      the server's certificate expired in 2021
#   tls13-alpn-http11       the server agrees to ALPN http/1.1 (curl offers h2 too)
#   tls10-aes128sha         TLS 1.0 (security level 0 on both sides), AES128-SHA, s_client
#   tls11-aes256sha         TLS 1.1, AES256-SHA
#   tls12-sni-mismatch      curl asks for other.example.org, the certificate names example.com
#   tls-downgrade-tls11     the server allows only TLS 1.1 AES256-SHA; s_client offers up to TLS 1.3
#   tls12-weak-suite        the server takes only AES128-SHA (RSA key exchange, CBC); curl offers GCM
#   tls12-untrusted-cert    curl checks the self-signed certificate: unknown_ca alert
# ONLY=NAME ./make.sh records that capture alone (the others are kept).
set -euo pipefail
cd "$(dirname "$0")"
[ "$(id -u)" = 0 ] || { echo "make.sh: needs root" >&2; exit 2; }
NS=ccp-tls
W=$(mktemp -d /tmp/tls-make.XXXXXX)
ip netns del $NS 2>/dev/null || true
ip netns add $NS
trap 'ip netns pids $NS 2>/dev/null | xargs -r kill 2>/dev/null; sleep 0.3; ip netns del $NS; rm -rf "$W"' EXIT
ip -n $NS link set lo up
X() { ip netns exec $NS "$@"; }

# A CA-less self-signed certificate for example.com, and one that expired.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/key.pem" -out "$W/cert.pem" -days 3650 \
	-subj "/CN=example.com/O=chattcp test" -addext "subjectAltName=DNS:example.com,DNS:www.example.com" 2>/dev/null
mkdir -p "$W/ca/newcerts" && : > "$W/ca/index.txt" && echo 01 > "$W/ca/serial"
cat > "$W/ca.cnf" <<CNF
[ca]
default_ca = d
[d]
dir = $W/ca
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
default_md = sha256
policy = p
copy_extensions = copy
[p]
commonName = supplied
CNF
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$W/old.key" -out "$W/old.csr" \
	-subj "/CN=old.example.com" -addext "subjectAltName=DNS:old.example.com" 2>/dev/null
openssl ca -batch -config "$W/ca.cnf" -selfsign -keyfile "$W/old.key" -in "$W/old.csr" -out "$W/old.pem" \
	-startdate 20200101000000Z -enddate 20210601000000Z 2>/dev/null

PORT=4430
# record NAME SERVER-ARGS -- CLIENT-COMMAND...: one capture with its key log.
record() {
	local name=$1; shift
	local sargs=()
	if [ -n "${ONLY:-}" ] && [ "$ONLY" != "$name" ]; then
		PORT=$((PORT + 1))
		return 0
	fi
	while [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	PORT=$((PORT + 1))
	rm -f "$name.pcap" "$name.keys"
	ip netns exec $NS tcpdump -i lo -U --immediate-mode -s 0 -w "$name.pcap" "tcp port $PORT" 2>/dev/null &
	local td=$!
	sleep 0.7
	ip netns exec $NS openssl s_server -accept 127.0.0.1:$PORT -www -cert "${CERT:-$W/cert.pem}" -key "${KEY:-$W/key.pem}" \
		"${sargs[@]}" >/dev/null 2>&1 &
	local sv=$!
	sleep 0.5
	local cmd=("$@")
	cmd=("${cmd[@]//@PORT@/$PORT}")
	cmd=("${cmd[@]//@KEYS@/$PWD/$name.keys}")
	SSLKEYLOGFILE=$PWD/$name.keys X "${cmd[@]}" >/dev/null 2>&1 || true
	sleep 1
	kill $sv 2>/dev/null || true
	kill -INT $td || true
	wait $td 2>/dev/null || true
	echo "$name.pcap: $(tcpdump -r "$name.pcap" 2>/dev/null | wc -l) packets"
}
CURL=(curl -sk --resolve example.com:@PORT@:127.0.0.1 -o /dev/null)

record tls12-ecdhe-aes128gcm -- "${CURL[@]}" --tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256 https://example.com:@PORT@/
record tls12-ecdhe-chacha20 -- "${CURL[@]}" --tls-max 1.2 --ciphers ECDHE-RSA-CHACHA20-POLY1305 https://example.com:@PORT@/
record tls12-ecdhe-aes256cbc -- "${CURL[@]}" --tls-max 1.2 --ciphers ECDHE-RSA-AES256-SHA https://example.com:@PORT@/
record tls12-rsa-aes128sha256 -cipher AES128-SHA256 -- "${CURL[@]}" --tls-max 1.2 --ciphers AES128-SHA256 https://example.com:@PORT@/
for s in TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256 TLS_AES_128_CCM_SHA256 \
	TLS_AES_128_CCM_8_SHA256; do
	n=$(echo "$s" | tr 'A-Z_' 'a-z-' | sed 's/^tls-//')
	record "tls13-$n" -ciphersuites "$s" -- "${CURL[@]}" --tlsv1.3 --tls13-ciphers "$s" https://example.com:@PORT@/
done
# HelloRetryRequest: the client's first key share (x25519) is not a group the server takes.
record tls13-hrr -groups P-256 -- sh -c 'printf "GET / HTTP/1.0\r\n\r\n" | openssl s_client -connect 127.0.0.1:@PORT@ \
	-servername example.com -groups X25519:P-256 -keylogfile @KEYS@ -ign_eof'
# KeyUpdate: s_client's 'k' command asks for one before the request.
record tls13-keyupdate -- sh -c '(sleep 0.3; printf "k\n"; sleep 0.3; printf "GET / HTTP/1.0\r\n\r\n"; sleep 0.5) | \
	openssl s_client -connect 127.0.0.1:@PORT@ -servername example.com -keylogfile @KEYS@'
# Resumption: the second connection presents the first one's session.
record tls12-resumed -- sh -c 'S=$(mktemp); echo Q | openssl s_client -connect 127.0.0.1:@PORT@ -tls1_2 \
	-servername example.com -sess_out $S -keylogfile @KEYS@; sleep 0.2; \
	printf "GET / HTTP/1.0\r\n\r\n" | openssl s_client -connect 127.0.0.1:@PORT@ -tls1_2 -servername example.com \
	-sess_in $S -keylogfile @KEYS@ -ign_eof; rm -f $S'
record tls-version-mismatch -tls1_2 -- sh -c 'echo | openssl s_client -connect 127.0.0.1:@PORT@ -tls1_3 \
	-servername example.com -keylogfile @KEYS@'
CERT=$W/old.pem KEY=$W/old.key record tls12-expired-cert -- "${CURL[@]}" --tls-max 1.2 --resolve old.example.com:@PORT@:127.0.0.1 \
	https://old.example.com:@PORT@/
record tls13-alpn-http11 -alpn http/1.1 -- "${CURL[@]}" --tlsv1.3 https://example.com:@PORT@/
for v in 10:tls1:AES128-SHA 11:tls1_1:AES256-SHA; do
	IFS=: read -r n flag suite <<< "$v"
	lc=$(echo "$suite" | tr 'A-Z' 'a-z' | tr -d '-')
	record "tls$n-$lc" -$flag -cipher "$suite:@SECLEVEL=0" -- sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | \
		openssl s_client -connect 127.0.0.1:@PORT@ -$flag -cipher '$suite:@SECLEVEL=0' -servername example.com \
		-keylogfile @KEYS@ -ign_eof"
done
# For the diagnosis (docs/diagnosis.md, "TLS"): a name the certificate does not carry, a
# server that allows only TLS 1.1 to a client offering up to 1.3, a TLS 1.2 server that
# takes only a CBC suite without forward secrecy, and a client that checks the
# self-signed certificate and refuses it (unknown_ca in clear, TLS 1.2).
record tls12-sni-mismatch -- "${CURL[@]}" --tls-max 1.2 --resolve other.example.org:@PORT@:127.0.0.1 \
	https://other.example.org:@PORT@/
record tls-downgrade-tls11 -tls1_1 -cipher "AES256-SHA:@SECLEVEL=0" -- sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | \
	openssl s_client -connect 127.0.0.1:@PORT@ -cipher 'ALL:@SECLEVEL=0' -servername example.com \
	-keylogfile @KEYS@ -ign_eof"
record tls12-weak-suite -tls1_2 -cipher AES128-SHA -- "${CURL[@]}" --tls-max 1.2 https://example.com:@PORT@/
record tls12-untrusted-cert -- curl -s --resolve example.com:@PORT@:127.0.0.1 -o /dev/null --tls-max 1.2 \
	https://example.com:@PORT@/
# The key update capture again with its keys inside, as a pcapng Decryption Secrets Block.
[ -n "${ONLY:-}" ] || editcap --inject-secrets tls,tls13-keyupdate.keys tls13-keyupdate.pcap tls13-keyupdate-dsb.pcapng
