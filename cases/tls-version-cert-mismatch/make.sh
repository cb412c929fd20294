#!/usr/bin/env bash
# cases/tls-version-cert-mismatch/make.sh: makes cases/tls-version-cert-mismatch/capture.pcap
#   Two TLS handshakes that fail, each with an alert in clear:
#   1. a version mismatch: curl, limited to TLS 1.2 (--tls-max 1.2), asks a server that speaks
#      only TLS 1.3 (port 443); the server answers the ClientHello with a fatal protocol_version
#      alert and closes.
#   2. a certificate mismatch: openssl s_client asks for www.other.test on a TLS 1.2 server
#      (port 8443) whose certificate names only cases.test; the certificate arrives in clear
#      (TLS 1.2), the client checks it during the handshake (-verify_hostname,
#      -verify_return_error), finds the name missing and aborts with a fatal alert, in clear.
#      (curl checks the name only after the handshake, so it would end with an encrypted
#      close_notify instead: nothing to read in the capture.)
#   Servers: Python's ssl module; the certificate (self-signed, cases.test) is made here and its
#   key thrown away with the work directory.
#     [ccb-tls-version-cert-mismatch-c] c0 10.78.61.1 --veth-- s0 10.78.61.2 [..-s]
#   Capture on c0 (the client's view).
# Needs: root; Debian packages iproute2, tcpdump, tshark, ethtool, curl, openssl, python3.
set -euo pipefail
CASE=tls-version-cert-mismatch
HERE=$(cd "$(dirname "$0")" && pwd)
CLI=10.78.61.1 SRV=10.78.61.2
# shellcheck source-path=SCRIPTDIR source=../lib-ccb.sh
. "$HERE/../lib-ccb.sh"
ccb_need ip:iproute2 tcpdump:tcpdump tshark:tshark ethtool:ethtool curl:curl openssl:openssl python3:python3

ccb_two_hosts
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj /CN=cases.test \
	-addext subjectAltName=DNS:cases.test -keyout "$W/key.pem" -out "$W/cert.pem" 2>/dev/null
cat > "$W/server.py" <<PY
import socket, ssl, sys, threading
def serve(port, lo, hi):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version, ctx.maximum_version = lo, hi
    ctx.load_cert_chain("$W/cert.pem", "$W/key.pem")
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("$SRV", port)); s.listen(4)
    while True:
        c, _ = s.accept()
        try:
            t = ctx.wrap_socket(c, server_side=True)
            t.recv(100); t.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"); t.close()
        except (ssl.SSLError, OSError) as e:
            print("server", port, "handshake failed:", e, flush=True)
            c.close()
V = ssl.TLSVersion
threading.Thread(target=serve, args=(443, V.TLSv1_3, V.TLSv1_3), daemon=True).start()
threading.Thread(target=serve, args=(8443, V.TLSv1_2, V.TLSv1_2), daemon=True).start()
print("listening", flush=True)
threading.Event().wait()
PY
ccb_bg s "$W/server.log" listening python3 "$W/server.py"
sleep 0.2
ccb_capture c c0 cap.pcap "tcp port 443 or tcp port 8443"
inns c curl -sS --tls-max 1.2 --cacert "$W/cert.pem" --resolve "cases.test:443:$SRV" https://cases.test/ \
	> "$W/c1.out" 2>&1 || true
sleep 0.5
inns c openssl s_client -connect "$SRV:8443" -servername www.other.test -verify_hostname www.other.test \
	-CAfile "$W/cert.pem" -verify_return_error -tls1_2 < /dev/null > "$W/c2.out" 2>&1 || true
ccb_capture_stop 0.3
cat "$W/c1.out" "$W/c2.out" "$W/server.log"
grep -qi "alert protocol version\|protocol version" "$W/c1.out" || { echo "$CASE: curl 1 did not fail on the version" >&2; exit 1; }
grep -qi "hostname mismatch" "$W/c2.out" || { echo "$CASE: s_client did not fail on the name" >&2; exit 1; }
chmod 644 "$HERE/capture.pcap"
tshark -r "$HERE/capture.pcap" -T fields -e frame.number -e tcp.stream -e ip.src -e tcp.flags.str -e tcp.len \
	-e tls.handshake.type -e tls.alert_message.desc 2>/dev/null
ccb_done "$(tshark -r "$HERE/capture.pcap" 2>/dev/null | wc -l)"
