#!/usr/bin/env bash
# make.sh: what tshark 4.0 says of every capture in tests/captures/h2, for
# tests/suite/oracle-h2. For NAME.pcap it writes NAME/ with two tables (tab-separated,
# no header; an empty cell: tshark had no value), read with the key log NAME.keys when
# there is one, h2c ports decoded as HTTP/2 (prior knowledge) or HTTP (Upgrade):
#   frames.tsv  one row per HTTP/2 frame: tcp.stream, frame, http2.streamid, http2.type,
#               http2.rst_stream.error, http2.goaway.error
#   msgs.tsv    one row per request or response head (HTTP/2 HEADERS and PUSH_PROMISE,
#               HTTP/1.x before an Upgrade): tcp.stream, frame, stream id (PUSH_PROMISE:
#               the promised stream; HTTP/1.x: empty), http2.headers.method, .path,
#               .status, .authority (HTTP/1.x: http.request.method, .uri, .response.code)
#   grpc.tsv    one row per gRPC message: tcp.stream, side (0 client, 1 server), length
# An empty profile, so no preference of the machine's changes the answer.
set -euo pipefail
cd "$(dirname "$0")"
CAPS=../captures/h2
PROF=$(mktemp -d); trap 'rm -rf "$PROF"' EXIT
for pcap in "$CAPS"/*.pcap; do
	name=$(basename "$pcap" .pcap)
	keys=$CAPS/$name.keys
	[ -f "$keys" ] || keys=/dev/null
	mkdir -p "$name"
	# make.sh's ports: 8444, 8445, 8447-8449 h2c by prior knowledge; 8446 HTTP/1.1 then Upgrade
	HOME=$PROF tshark -C "" -n -r "$pcap" -o "tls.keylog_file:$keys" -d tcp.port==8444,http2 -d tcp.port==8445,http2 \
		-d tcp.port==8446,http -d tcp.port==8447,http2 -d tcp.port==8448,http2 -d tcp.port==8449,http2 -Y 'http2 || http' \
		-T json --no-duplicate-keys 2>/dev/null | python3 -c '
import json, sys
name = sys.argv[1]
pk = json.load(sys.stdin)
def lst(v):
    return v if isinstance(v, list) else [v]
def one(d, k):
    v = d.get(k, "")
    return lst(v)[0] if v != "" else ""
frames, msgs = [], []
for p in pk:
    l = p["_source"]["layers"]
    conn = one(l["tcp"], "tcp.stream")
    num = one(l["frame"], "frame.number")
    for h in lst(l.get("http2", [])):
        for f in lst(h.get("http2.stream", [])):
            if not isinstance(f, dict) or "http2.type" not in f:
                continue  # the magic (preface) has no type
            t = one(f, "http2.type")
            sid = one(f, "http2.streamid")
            frames.append((conn, num, sid, t, one(f, "http2.rst_stream.error"), one(f, "http2.goaway.error")))
            if t in ("1", "5"):
                hv = {}
                for hd in lst(f.get("http2.header", [])):
                    if isinstance(hd, dict):
                        hv.setdefault(one(hd, "http2.header.name"), one(hd, "http2.header.value"))
                if t == "5":
                    sid = one(f, "http2.push_promise.promised_stream_id")
                if any(k in hv for k in (":method", ":status")):
                    msgs.append((conn, num, sid, hv.get(":method", ""), hv.get(":path", ""), hv.get(":status", ""),
                                 hv.get(":authority", "")))
    for h in lst(l.get("http", [])):
        if not isinstance(h, dict):
            continue
        rq = next((v for k, v in h.items() if isinstance(v, dict) and "http.request.method" in v), None)
        rs = next((v for k, v in h.items() if isinstance(v, dict) and "http.response.code" in v), None)
        if rq:
            msgs.append((conn, num, "", one(rq, "http.request.method"), one(rq, "http.request.uri"), "", one(h, "http.host")))
        if rs:
            msgs.append((conn, num, "", "", "", one(rs, "http.response.code"), ""))
with open(name + "/frames.tsv", "w") as o:
    for r in frames:
        o.write("\t".join(r) + "\n")
with open(name + "/msgs.tsv", "w") as o:
    for r in msgs:
        o.write("\t".join(r) + "\n")
print("%s: %d frames, %d heads" % (name, len(frames), len(msgs)))
' "$name"
	# gRPC messages: tcp.stream, side (0 client, 1 server), length
	HOME=$PROF tshark -C "" -n -r "$pcap" -o "tls.keylog_file:$keys" -d tcp.port==8449,http2 -Y grpc \
		-T fields -e tcp.stream -e tcp.srcport -e grpc.message_length 2>/dev/null | while read -r s port lens; do
		side=0; [ "$port" -ge 8440 ] && [ "$port" -le 8460 ] && side=1
		for l in ${lens//,/ }; do printf '%s\t%s\t%s\n' "$s" "$side" "$l"; done
	done > "$name/grpc.tsv"
done
