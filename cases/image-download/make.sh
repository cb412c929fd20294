#!/usr/bin/env bash
# make.sh — record cases/image-download/capture.pcap: a PNG fetched over HTTP/1.1 from nginx by curl.
#
# mkpng.py writes served.png (deterministic, 128x96 RGB, ~33 KB, so the body takes ~24 full-size
# segments); nginx (Debian nginx-light) serves it from the server namespace; curl downloads it
# once (HTTP/1.1, one connection, curl closes after the response).
# Checks: HTTP 200 image/png and the object tshark reassembles from the capture has the same
# sha256 as served.png.
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, nginx-light, curl, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_need curl:curl
cca_up img

"$CCA_PY" "$HERE/mkpng.py" "$HERE/served.png"
mkdir -p "$W/www"; cp "$HERE/served.png" "$W/www/served.png"; chmod -R a+rX "$W/www"
cca_nginx "$W/www"

cca_capture_start "tcp port 80"
cli curl -sS --http1.1 -o "$W/got.png" -w 'curl: HTTP %{http_code} %{content_type} %{size_download} bytes\n' \
    http://10.77.0.2/served.png
cca_capture_stop "$HERE/capture.pcap"
tshark -r "$HERE/capture.pcap" 2>/dev/null

want=$(sha256sum < "$HERE/served.png")
[ "$(sha256sum < "$W/got.png")" = "$want" ] || cca_fail "curl got a different file"
mkdir -p "$W/export"
tshark -r "$HERE/capture.pcap" --export-objects "http,$W/export" >/dev/null 2>&1
[ "$(sha256sum < "$W/export/served.png")" = "$want" ] || cca_fail "the capture does not hold the whole image"
cca_fields "$HERE/capture.pcap" http.response.code http.content_type | grep -q '^200|image/png$' \
    || cca_fail "no 200 image/png response"
cca_expect_count "$HERE/capture.pcap" 54
echo "ok: served.png ($(stat -c %s "$HERE/served.png") bytes) is in the capture, sha256 ${want%% *}"
