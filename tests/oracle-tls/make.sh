#!/usr/bin/env bash
# make.sh: what tshark 4.0 says of every capture in tests/captures/tls, for
# tests/suite/oracle-tls. For NAME.pcap it writes NAME/ with three tables (tab-separated,
# no header; an empty cell: tshark had no value), read with the key log NAME.keys:
#   hello.tsv   one row per ClientHello: tcp.stream, frame, SNI, JA3 (MD5), JA3 string
#   server.tsv  one row per ServerHello or HelloRetryRequest: tcp.stream, frame,
#               cipher suite (decimal), supported_versions' choice (hex), legacy version (hex)
#   alert.tsv   one row per alert tshark can read: tcp.stream, frame, level, description
#   http.tsv    one row per decrypted HTTP message: tcp.stream, frame, method, uri, status
#   body.tsv    per TLS connection that carried HTTP: tcp.stream, the SHA-256 of the
#               server's decrypted bytes after its first response head (tshark's
#               follow,tls,raw), the body an export must write
# An empty profile, so no preference of the machine's changes the answer.
set -euo pipefail
cd "$(dirname "$0")"
CAPS=../captures/tls
# TLS captures of the shared corpus (real traffic, no keys): their tables go in
# corpus-NAME/, and the test compares them when the corpus is there.
CORPUS_TLS="tcp-syn-unanswered-retries-browsing.pcap"
SHARED=${SHARED:-../../../shared}
PROF=$(mktemp -d); trap 'rm -rf "$PROF"' EXIT
caps=("$CAPS"/*.pcap)
for c in $CORPUS_TLS; do
	[ -f "$SHARED/corpus/$c" ] && caps+=("$SHARED/corpus/$c")
done
for pcap in "${caps[@]}"; do
	name=$(basename "$pcap" .pcap)
	keys=$CAPS/$name.keys
	case "$pcap" in "$CAPS"/*) ;; *) name=corpus-$name; keys=/dev/null ;; esac
	mkdir -p "$name"
	T=(tshark -C "" -n -r "$pcap" -o "tls.keylog_file:$keys")
	HOME=$PROF "${T[@]}" -Y 'tls.handshake.type == 1' -T fields -e tcp.stream -e frame.number \
		-e tls.handshake.extensions_server_name -e tls.handshake.ja3 -e tls.handshake.ja3_full > "$name/hello.tsv" 2>/dev/null
	HOME=$PROF "${T[@]}" -Y 'tls.handshake.type == 2' -T fields -e tcp.stream -e frame.number \
		-e tls.handshake.ciphersuite -e tls.handshake.extensions.supported_version -e tls.handshake.version \
		> "$name/server.tsv" 2>/dev/null
	HOME=$PROF "${T[@]}" -Y 'tls.alert_message' -T fields -e tcp.stream -e frame.number \
		-e tls.alert_message.level -e tls.alert_message.desc > "$name/alert.tsv" 2>/dev/null
	HOME=$PROF "${T[@]}" -Y 'http' -T fields -e tcp.stream -e frame.number \
		-e http.request.method -e http.request.uri -e http.response.code > "$name/http.tsv" 2>/dev/null
	: > "$name/body.tsv"
	for s in $(cut -f1 "$name/http.tsv" | sort -u); do
		HOME=$PROF "${T[@]}" -q -z "follow,tls,raw,$s" 2>/dev/null | python3 -c '
import hashlib, sys
lines = [l.rstrip("\n") for l in sys.stdin if l.strip() and all(c in "0123456789abcdef\t" for c in l.strip("\n"))]
sides = [b"".join(bytes.fromhex(l.strip()) for l in lines if l.startswith("\t") == bool(k)) for k in (0, 1)]
server = next((x for x in sides if x.startswith(b"HTTP/")), b"")  # tshark numbers the nodes as it meets them
head = server.find(b"\r\n\r\n")
if head >= 0:
    print("%s\t%s" % (sys.argv[1], hashlib.sha256(server[head + 4:]).hexdigest()))
' "$s" >> "$name/body.tsv"
	done
	echo "$name: $(wc -l < "$name/hello.tsv") hellos, $(wc -l < "$name/alert.tsv") alerts, $(wc -l < "$name/http.tsv") http"
done
