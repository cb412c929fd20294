#!/usr/bin/env bash
# make-numbers-oracle.sh: what tshark shows of the numbers chattcp's views show besides
# seq and ack, for every capture in tests/captures/ and the shared corpus ($SHARED/corpus,
# default /work/shared/corpus) that carries SACK blocks: tests/oracle/numbers.tsv, one
# row per frame with a SACK option:
#
#   file  frame  sack_le  sack_re  sack_le_raw  sack_re_raw  dsack_le  dsack_re  win_scaled
#
# sack_* are tshark's comma-separated edges with relative sequence numbers on (the
# default), *_raw the same with them off; dsack_* tshark's D-SACK edges (empty: none);
# win_scaled is tcp.window_size (the scaled window). tests/suite/numbers compares them.
#
#   tests/oracle/make-numbers-oracle.sh      (needs tshark 4.0)
set -euo pipefail
export LC_ALL=C TZ=UTC
cd "$(dirname "$0")/../.."
command -v tshark >/dev/null || { echo "make-numbers-oracle: tshark not found" >&2; exit 1; }
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/home"
TSHARK=(env HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/home/.config" tshark
        -o tcp.analyze_sequence_numbers:TRUE -o tcp.check_checksum:FALSE -o tcp.desegment_tcp_streams:TRUE)
out=tests/oracle/numbers.tsv
printf 'file\tframe\tsack_le\tsack_re\tsack_le_raw\tsack_re_raw\tdsack_le\tdsack_re\twin_scaled\n' > "$out"
SHARED=${SHARED:-/work/shared}
for f in tests/captures/*.pcap tests/captures/*.pcapng "$SHARED"/corpus/*.pcap "$SHARED"/corpus/*.pcapng; do
    [ -f "$f" ] || continue
    "${TSHARK[@]}" -o tcp.relative_sequence_numbers:TRUE -r "$f" -Y tcp.options.sack_le -T fields \
        -e frame.number -e tcp.options.sack_le -e tcp.options.sack_re -e tcp.options.sack.dsack_le \
        -e tcp.options.sack.dsack_re -e tcp.window_size 2> /dev/null > "$TMP/rel" || true
    [ -s "$TMP/rel" ] || continue
    "${TSHARK[@]}" -o tcp.relative_sequence_numbers:FALSE -r "$f" -Y tcp.options.sack_le -T fields \
        -e frame.number -e tcp.options.sack_le -e tcp.options.sack_re 2> /dev/null > "$TMP/raw" || true
    name=$(basename "$f")
    grep -q "^$name	" "$out" && continue # in tests/captures and the corpus: once
    awk -F '\t' -v n="$name" 'BEGIN { OFS = "\t" }
        NR == FNR { le[$1] = $2; re[$1] = $3; next }
        { print n, $1, $2, $3, le[$1], re[$1], $4, $5, $6 }' "$TMP/raw" "$TMP/rel" >> "$out"
done
wc -l "$out"
