#!/usr/bin/env bash
# cases/tls13-keylog/make.sh: makes cases/tls13-keylog/capture.pcap (pcapng, with its keys)
#   A TLS 1.3 handshake and one HTTPS request, decrypted: curl (OpenSSL) asks a small
#   Python HTTPS server (ssl module, TLS 1.3 only) for /hello.txt over HTTP/1.1. curl writes
#   the session's secrets to a key log (SSLKEYLOGFILE, the NSS format); the key log is kept
#   next to the capture (keylog.txt) and put into the capture itself as a pcapng Decryption
#   Secrets Block (editcap --inject-secrets), so `chattcp chat case:tls13-keylog` decrypts
#   with no option. The certificate is made here (self-signed, for cases.test); its key is
#   thrown away with the work directory.
#     [ccb-tls13-keylog-c] c0 10.78.60.1  --veth--  s0 10.78.60.2 [ccb-tls13-keylog-s]
#   Capture on c0 (the client's view).
# Needs: root; Debian packages iproute2, tcpdump, tshark (editcap), ethtool, curl, openssl, python3.
set -euo pipefail
CASE=tls13-keylog
HERE=$(cd "$(dirname "$0")" && pwd)
CLI=10.78.60.1 SRV=10.78.60.2 PORT=443
# shellcheck source-path=SCRIPTDIR source=../lib-ccb.sh
. "$HERE/../lib-ccb.sh"
ccb_need ip:iproute2 tcpdump:tcpdump tshark:tshark editcap:tshark ethtool:ethtool curl:curl openssl:openssl python3:python3

ccb_two_hosts
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj /CN=cases.test \
	-addext subjectAltName=DNS:cases.test -keyout "$W/key.pem" -out "$W/cert.pem" 2>/dev/null
mkdir -p "$W/www"
printf 'Hello over TLS 1.3. Only the two ends (and the key log) can read this line.\n' > "$W/www/hello.txt"
cat > "$W/server.py" <<PY
import http.server, ssl, os
os.chdir("$W/www")
class H(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.load_cert_chain("$W/cert.pem", "$W/key.pem")
ctx.num_tickets = 0  # no session tickets after the handshake: the story is the handshake
s = http.server.HTTPServer(("$SRV", $PORT), H)
s.socket = ctx.wrap_socket(s.socket, server_side=True)
print("listening", flush=True)
s.serve_forever()
PY
ccb_bg s "$W/server.log" listening python3 "$W/server.py"
ccb_capture c c0 cap.pcap "tcp port $PORT"
inns c env SSLKEYLOGFILE="$W/keylog.txt" curl -sS --http1.1 --tlsv1.3 --cacert "$W/cert.pem" \
	--resolve "cases.test:$PORT:$SRV" "https://cases.test/hello.txt" | tee "$W/client.out"
ccb_capture_stop 0.3
grep -q "Hello over TLS 1.3" "$W/client.out" || { echo "$CASE: curl did not get the file" >&2; exit 1; }
cp "$W/keylog.txt" "$HERE/keylog.txt"
editcap --inject-secrets "tls,$HERE/keylog.txt" "$W/cap.pcap" "$W/cap.pcapng"
cp "$W/cap.pcapng" "$HERE/capture.pcap"
chmod 644 "$HERE/capture.pcap" "$HERE/keylog.txt"
# the oracle: tshark decrypts with the key log
tshark -r "$HERE/capture.pcap" -o "tls.keylog_file:$HERE/keylog.txt" -T fields -e frame.number -e ip.src \
	-e tcp.flags.str -e tcp.len -e tls.handshake.type -e http.request.uri -e http.response.code 2>/dev/null
tshark -r "$HERE/capture.pcap" -o "tls.keylog_file:$HERE/keylog.txt" -Y http.response.code==200 2>/dev/null | grep -q . \
	|| { echo "$CASE: tshark cannot decrypt the response" >&2; exit 1; }
ccb_done "$(tshark -r "$HERE/capture.pcap" 2>/dev/null | wc -l)"
