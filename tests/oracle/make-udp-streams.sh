#!/usr/bin/env bash
# make-udp-streams.sh: Wireshark's udp.stream for every UDP packet, as test data.
#
#   tests/oracle/make-udp-streams.sh          (from anywhere; needs tshark and python3)
#
# For every capture in tests/captures/ (top level, made/*/, bad/) and in the shared corpus
# (../shared/corpus/, or $SHARED/corpus) that has UDP, writes tests/oracle/NAME/udp_streams.tsv:
# one row per frame with its own UDP header (frame, stream, src, srcport, dst, dstport).
# UDP quoted inside an ICMP/ICMPv6 error is not the frame's own, nor is a UDP header inside a
# tunnel carried by the frame's own UDP (VXLAN...): those go to udp_other.tsv, since they
# take udp.stream numbers too. See tests/oracle/README.md for the files and NAME.
#
# tshark is only used here, to make the data; the tests never run it.
set -euo pipefail
export LC_ALL=C TZ=UTC
cd "$(dirname "$0")/../.."
ROOT=$PWD
MAX_BYTES=${MAX_BYTES:-200000}   # a larger udp_streams.tsv keeps one row per stream (+ frame count)

command -v tshark >/dev/null || { echo "make-udp-streams: tshark not found" >&2; exit 1; }
command -v python3 >/dev/null || { echo "make-udp-streams: python3 not found" >&2; exit 1; }
ver=$(tshark --version 2>/dev/null | head -n 1 | awk '{ print $3 }')
case "$ver" in 4.0.*) ;; *) echo "make-udp-streams: warning: tshark $ver; the README says the files come from 4.0.17" >&2 ;; esac
SHARED=${SHARED:-}
if [ -z "$SHARED" ]; then
    for d in ../shared /work/shared; do [ -d "$d/corpus" ] && { SHARED=$(cd "$d" && pwd); break; }; done
fi
[ -n "$SHARED" ] || echo "make-udp-streams: no shared corpus found (set SHARED); tests/captures only" >&2

TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
# An empty profile, so no one's Wireshark preferences change the answer; the preferences
# that decide which frame shows a UDP header are pinned to their 4.0 defaults.
mkdir -p "$TMP/home"
TSHARK=(env HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/home/.config" tshark
        -o ip.defragment:TRUE -o ipv6.defragment:TRUE -o udp.check_checksum:FALSE
        -o udp.try_heuristic_first:FALSE)

# name CAPTURE_PATH -> NAME of its oracle folder
name_of() {
    case "$1" in
        tests/captures/made/*/*) local d=${1#tests/captures/made/}; d=${d%%/*}; local e=${1##*.}; echo "made-$d.$e" ;;
        *) basename "$1" ;;
    esac
}

list=()
for f in tests/captures/*.pcap tests/captures/*.pcapng tests/captures/made/*/*.pcap tests/captures/made/*/*.pcapng \
         tests/captures/bad/*.pcap tests/captures/bad/*.pcapng; do
    [ -f "$f" ] && list+=("$f")
done
if [ -n "$SHARED" ]; then
    for f in "$SHARED"/corpus/*.pcap "$SHARED"/corpus/*.pcapng; do [ -f "$f" ] && list+=("$f"); done
fi

# Old output first, so a capture that lost its UDP (or its name) leaves nothing behind.
rm -f tests/oracle/*/udp_streams.tsv tests/oracle/*/udp_other.tsv
for d in tests/oracle/*/; do rmdir "$d" 2>/dev/null || true; done

declare -A seen=()
written=0
for f in "${list[@]}"; do
    sum=$(sha256sum < "$f" | cut -d' ' -f1)
    [ -z "${seen[$sum]:-}" ] || continue      # the same bytes under another name (bad/, corpus)
    seen[$sum]=1
    name=$(name_of "${f#"$ROOT"/}")
    rc=0
    "${TSHARK[@]}" -r "$f" -Y udp -T fields -E occurrence=a -E separator=/t \
        -e frame.number -e udp.stream -e ip.src -e ipv6.src -e udp.srcport -e ip.dst -e ipv6.dst -e udp.dstport \
        -e frame.protocols > "$TMP/fields" 2> "$TMP/err" || rc=$?
    # exit 2 = the file is damaged further on: the frames before the damage still count
    if [ "$rc" != 0 ] && [ "$rc" != 2 ]; then
        echo "make-udp-streams: tshark failed ($rc) on $f: $(grep -v 'Running as user' "$TMP/err" | head -n 1)" >&2; exit 1
    fi
    [ -s "$TMP/fields" ] || continue
    mkdir -p "tests/oracle/$name"
    python3 - "$TMP/fields" "tests/oracle/$name" "$MAX_BYTES" <<'EOF'
import collections, sys

fields, outdir, max_bytes = sys.argv[1], sys.argv[2], int(sys.argv[3])
HEAD = ["frame", "stream", "src", "srcport", "dst", "dstport"]
own, other = [], []
for line in open(fields, encoding="utf-8"):
    c = (line.rstrip("\n").split("\t") + [""] * 9)[:9]
    frame, streams, sports, dports, protos = c[0], c[1].split(","), c[4].split(","), c[7].split(","), c[8]
    addr = {"4": (c[2].split(","), c[5].split(",")), "6": (c[3].split(","), c[6].split(","))}

    def pick(v, j):
        return v[j] if j < len(v) else ""

    # Walk the layers: each "udp" is enclosed by the last IPv4/IPv6 header before it and
    # takes the next occurrence of the udp.* fields; one after "icmp"/"icmpv6" is quoted
    # in an error. (A UDP header cut short has ports but no udp.stream: an empty cell.)
    count = {"4": 0, "6": 0}
    last_ip, in_icmp, n_udp, n_own = None, False, 0, 0
    for p in protos.split(":"):
        if p in ("ip", "ipv6"):
            fam = "4" if p == "ip" else "6"
            last_ip = (fam, count[fam]); count[fam] += 1
        elif p in ("icmp", "icmpv6"):
            in_icmp = True
        elif p == "udp":
            fam, k = last_ip or ("4", 0)
            src, dst = addr[fam]
            row = [frame, pick(streams, n_udp), pick(src, k), pick(sports, n_udp), pick(dst, k), pick(dports, n_udp)]
            n_udp += 1
            if in_icmp:
                other.append(row + ["icmp-quoted"])
            elif n_own == 0:
                own.append(row); n_own = 1
            else:
                other.append(row + ["inner"])


def write(path, head, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write("\t".join(head) + "\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    return sum(len("\t".join(r)) + 1 for r in rows) + len("\t".join(head)) + 1


if own:
    path = outdir + "/udp_streams.tsv"
    if write(path, HEAD, own) > max_bytes:
        # too big to keep whole: the first frame of each stream and how many frames it has
        n = collections.Counter(r[1] for r in own)
        firsts, done = [], set()
        for r in own:
            if r[1] not in done:
                done.add(r[1]); firsts.append(r + [str(n[r[1]])])
        write(path, HEAD + ["frames"], firsts)
if other:
    write(outdir + "/udp_other.tsv", HEAD + ["kind"], other)
print(f"{outdir}: {len(own)} frames with their own UDP, {len(set(r[1] for r in own if r[1]))} streams"
      + (f", {len(other)} other UDP headers" if other else ""), file=sys.stderr)
EOF
    written=$((written + 1))
done
echo "make-udp-streams: wrote udp_streams.tsv for $written captures" >&2
