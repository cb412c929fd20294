#!/usr/bin/env bash
# bench/split-header.sh: a decoder that rescans what it has seen is quadratic in the
# number of segments a message arrives in. This makes a capture whose HTTP request head
# is 65 kB sent one byte per segment (65,004 segments), and times `chattcp http` on it
# against the same head in one segment; with BASELINE=PATH the old binary too, side by
# side. A decoder that keeps its place (proto.h consumed/needed) takes about as long
# either way.
#
#   bench/split-header.sh            BASELINE=/path/to/old/chattcp bench/split-header.sh
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
CHATTCP=${CHATTCP:-build/chattcp}
D=$(mktemp -d); trap 'rm -rf "$D"' EXIT
python3 - "$D" <<'PY'
import sys
sys.path.insert(0, "tests/lib")
import pcapgen
d = sys.argv[1]
cli, srv = bytes([10, 9, 0, 1]), bytes([10, 9, 0, 2])
hdr = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-Pad-%05d: %s\r\n" % (i, b"a" * 40) for i in range(1300))
hdr = hdr[:65000] + b"\r\n\r\n"
for name, seg in (("split", 1), ("whole", len(hdr))):
    with open(f"{d}/{name}.pcap", "wb") as f:
        f.write(pcapgen.PCAP_HEADER)
        t, cs, ss = 1e9, 1000, 5000
        f.write(pcapgen._frame(t, cli, srv, 40000, 80, cs, 0, 0x02))
        f.write(pcapgen._frame(t + 1e-5, srv, cli, 80, 40000, ss, cs + 1, 0x12))
        cs += 1
        for i in range(0, len(hdr), seg):
            t += 1e-5
            f.write(pcapgen._frame(t, cli, srv, 40000, 80, cs, ss + 1, 0x18, hdr[i:i + seg]))
            cs += len(hdr[i:i + seg])
PY
timeit() { local s=$EPOCHREALTIME; "$1" http "$2" > /dev/null; awk -v a="$s" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }'; }
printf '%-12s %14s %14s\n' binary "whole (s)" "1-byte segs (s)"
for b in "$CHATTCP" ${BASELINE:+"$BASELINE"}; do
	printf '%-12s %14.3f %14.3f\n' "$( [ "$b" = "$CHATTCP" ] && echo new || echo baseline)" "$(timeit "$b" "$D/whole.pcap")" "$(timeit "$b" "$D/split.pcap")"
done
