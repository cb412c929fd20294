#!/usr/bin/env bash
# make-made-oracles.sh: the tshark oracle (info.txt, packets.tsv, conv_tcp.txt,
# conv_udp.txt) of the captures we generate under tests/captures/made/tun-*/ and tcp-*/, in the
# format of bench/oracle.sh's files (see README.md), so oracle-core compares them.
#
#   tests/oracle/make-made-oracles.sh      (needs tshark 4.0 and python3)
#
# Writes tests/oracle/made-DIR.pcap/ (or .pcapng) for each tests/captures/made/tun-DIR/
# capture, and for each tests/captures/made/tcp-DIR/capture.pcap (TCP rules). packets.tsv's src/dst are the innermost IP header's (a tunnel's outer
# addresses are not the connection's). Run tests/oracle/make-udp-streams.sh after it.
set -euo pipefail
export LC_ALL=C TZ=UTC
cd "$(dirname "$0")/../.."
command -v tshark >/dev/null || { echo "make-made-oracles: tshark not found" >&2; exit 1; }
ver=$(tshark --version 2>/dev/null | head -n 1 | awk '{ print $3 }')
case "$ver" in 4.0.*) ;; *) echo "make-made-oracles: warning: tshark $ver, the README says 4.0.17" >&2 ;; esac
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/home"
TSHARK=(env HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/home/.config" tshark
        -o tcp.analyze_sequence_numbers:TRUE -o tcp.relative_sequence_numbers:TRUE
        -o tcp.check_checksum:FALSE -o tcp.desegment_tcp_streams:TRUE)
LABELS="retransmission fast_retransmission spurious_retransmission out_of_order lost_segment ack_lost_segment duplicate_ack keep_alive keep_alive_ack zero_window zero_window_probe zero_window_probe_ack window_full window_update reused_ports"
for f in tests/captures/made/tun-*/capture.pcap tests/captures/made/tun-*/capture.pcapng \
         tests/captures/made/tcp-*/capture.pcap; do
    [ -f "$f" ] || continue
    d=${f#tests/captures/made/}; d=${d%%/*}; ext=${f##*.}
    out="tests/oracle/made-$d.$ext"
    rm -rf "$out"; mkdir -p "$out"
    rc=0
    fields=(-e frame.number -e tcp.stream -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport
            -e tcp.seq_raw -e tcp.ack_raw -e tcp.flags -e tcp.len)
    for l in $LABELS; do fields+=(-e "tcp.analysis.$l"); done
    fields+=(-e tcp.analysis.duplicate_ack_num -e tcp.analysis.duplicate_ack_frame -e tcp.seq -e tcp.ack
             -e tcp.window_size_value -e tcp.window_size -e frame.time_epoch -e frame.len -e frame.cap_len -e frame.protocols)
    "${TSHARK[@]}" -r "$f" -Y tcp -T fields -E occurrence=a -E separator=/t "${fields[@]}" > "$TMP/f" 2> "$TMP/err" || rc=$?
    python3 - "$TMP/f" "$out/packets.tsv" "$LABELS" <<'PY'
import sys
src, dst, labels = sys.argv[1], sys.argv[2], sys.argv[3].split()
head = ["frame", "stream", "src", "srcport", "dst", "dstport", "seq_raw", "ack_raw", "flags", "len", "analysis",
        "dup_ack_num", "dup_ack_of", "rseq", "rack", "win_raw", "win", "time_epoch", "frame_len", "cap_len"]
rows = []
for line in open(src, encoding="utf-8"):
    c = line.rstrip("\n").split("\t")
    n = len(labels)
    fr, st, s4, s6, sp, d4, d6, dp, seq, ack, fl, ln = c[:12]
    lab = c[12:12 + n]
    rest = c[12 + n:]
    protos = rest[-1].split(":")
    # the innermost IP header before "tcp": count the ip/ipv6 occurrences before it
    k4 = k6 = 0
    last = None
    for p in protos:
        if p == "ip":
            last = ("4", k4); k4 += 1
        elif p == "ipv6":
            last = ("6", k6); k6 += 1
        elif p == "tcp":
            break
    fam, k = last
    pick = lambda v: (v.split(",") + [""] * 16)[k]
    s, d = (pick(s4), pick(d4)) if fam == "4" else (pick(s6), pick(d6))
    an = ",".join(l for l, v in zip(labels, lab) if v)
    first = lambda v: v.split(",")[0]
    fl = "0x%04x" % int(first(fl), 16)
    rows.append([fr, first(st), s, first(sp), d, first(dp), first(seq), first(ack), fl, first(ln), an] +
                [first(x) for x in rest[:-1]])
with open(dst, "w", encoding="utf-8") as f:
    f.write("\t".join(head) + "\n")
    for r in rows:
        f.write("\t".join(r) + "\n")
PY
    "${TSHARK[@]}" -r "$f" -q -z conv,tcp 2>/dev/null | grep -v '^Running as' > "$out/conv_tcp.txt" || true
    "${TSHARK[@]}" -r "$f" -q -z conv,udp 2>/dev/null | grep -v '^Running as' > "$out/conv_udp.txt" || true
    n=$(capinfos -c -M "$f" 2>/dev/null | awk -F': *' '/Number of packets/ { print $2 }' || true)
    {
        printf 'file\t%s\n' "$(basename "$f")"
        printf 'bytes\t%s\n' "$(stat -c %s "$f")"
        printf 'sha256\t%s\n' "$(sha256sum < "$f" | cut -d' ' -f1)"
        printf 'packets\t%s\n' "$n"
        printf 'tshark_exit\t%s\n' "$rc"
    } > "$out/info.txt"
    grep -v 'Running as user' "$TMP/err" > "$out/tshark.stderr" || rm -f "$out/tshark.stderr"
    echo "make-made-oracles: $out: $(($(wc -l < "$out/packets.tsv") - 1)) TCP packets" >&2
done
