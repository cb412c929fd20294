#!/usr/bin/env bash
# cases/quic-first-packets/make.sh: makes cases/quic-first-packets/capture.pcap
#   QUIC seen from the outside: ngtcp2's example HTTP/3 client (gtlsclient, GnuTLS) fetches a
#   small file from ngtcp2's example server (gtlsserver) over UDP port 443. chattcp has no QUIC
#   decoder: the lesson is what the datagrams themselves show (long and short headers, the
#   version, connection ids, the client's padded 1200-byte Initial) and what they hide.
#   (Debian 12's curl has no HTTP/3 and Python's aioquic is not packaged; ngtcp2-client and
#   ngtcp2-server are.) The certificate is made here (self-signed, cases.test) and its key
#   thrown away with the work directory. The client's key log (GnuTLS honours SSLKEYLOGFILE) is kept
#   next to the capture, for Wireshark: with it, it decrypts every packet.
#     [ccb-quic-first-packets-c] c0 10.78.67.1  --veth--  s0 10.78.67.2 [ccb-quic-first-packets-s]
#   Capture on c0 (the client's view).
# Needs: root; Debian packages iproute2, tcpdump, tshark, ethtool, openssl, ngtcp2-client, ngtcp2-server.
set -euo pipefail
CASE=quic-first-packets
HERE=$(cd "$(dirname "$0")" && pwd)
CLI=10.78.67.1 SRV=10.78.67.2 PORT=443
# shellcheck source-path=SCRIPTDIR source=../lib-ccb.sh
. "$HERE/../lib-ccb.sh"
ccb_need ip:iproute2 tcpdump:tcpdump tshark:tshark ethtool:ethtool openssl:openssl \
	gtlsclient:ngtcp2-client gtlsserver:ngtcp2-server

ccb_two_hosts
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj /CN=cases.test \
	-addext subjectAltName=DNS:cases.test -keyout "$W/key.pem" -out "$W/cert.pem" 2>/dev/null
mkdir -p "$W/www"
printf 'Hello over QUIC.\n' > "$W/www/hello.txt"
ccb_bg s "$W/server.log" "" gtlsserver -q -d "$W/www" $SRV $PORT "$W/key.pem" "$W/cert.pem"
sleep 0.5
mkdir -p "$W/dl"
ccb_capture c c0 cap.pcap "udp port $PORT"
inns c env SSLKEYLOGFILE="$W/keylog.txt" gtlsclient -q --exit-on-all-streams-close --no-preferred-addr --sni cases.test --download "$W/dl" \
	$SRV $PORT "https://cases.test/hello.txt" > "$W/client.out" 2>&1 || true
ccb_capture_stop 0.3
cat "$W/client.out"
grep -q "Hello over QUIC" "$W/dl/hello.txt" || { echo "$CASE: the client did not get the file" >&2; exit 1; }
cp "$W/keylog.txt" "$HERE/keylog.txt"
chmod 644 "$HERE/capture.pcap" "$HERE/keylog.txt"
# the oracle, with the key log (chattcp does not decrypt QUIC; Wireshark does): every frame's
# packets and their frames
tshark -r "$HERE/capture.pcap" -o "tls.keylog_file:$HERE/keylog.txt" -T fields -e frame.number \
	-e frame.time_relative -e ip.src -e udp.length -e quic.header_form -e quic.long.packet_type \
	-e quic.frame_type -e tls.handshake.type -e http3.frame_type 2>/dev/null
ccb_done "$(tshark -r "$HERE/capture.pcap" 2>/dev/null | wc -l)"
