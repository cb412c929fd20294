#!/usr/bin/env bash
# bench/memory.sh — peak memory (RSS) of every batch command on a benchmark capture.
#
#   bench/memory.sh [medium|large]          (default: medium)
#
# Runs stats, http, http --json, chat (every connection), chat --json, diag, diag --json and
# export --files once each on BENCH_DATA/NAME.pcap and prints one markdown table: peak RSS
# (/usr/bin/time), wall time, the output's size and the first 16 hex digits of its SHA-256
# (for export: of every file written and the listing), so two binaries can be compared for
# identical output. The capture is the one bench/run.sh makes (it makes it when missing).
#
# Environment (all optional):
#   CHATTCP=PATH      the binary (default: REPO/build/chattcp)
#   BASELINE=PATH     an older binary: each command runs with both; the table gives both peaks
#                     and says whether the outputs are identical
#   BENCH_DATA=DIR    where the captures are (default: REPO/bench/data)
#   EXPORT_DIR=DIR    where export writes (default: /dev/shm when it exists, else TMPDIR);
#                     removed after each run
#   TIME_BIN=/usr/bin/time
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=${REPO:-$(cd "$HERE/.." && pwd)}
DATA=${BENCH_DATA:-$HERE/data}
CHATTCP=${CHATTCP:-$REPO/build/chattcp}
BASELINE=${BASELINE:-}
TIME_BIN=${TIME_BIN:-/usr/bin/time}
TMP=${TMPDIR:-/tmp}
EXPORT_BASE=${EXPORT_DIR:-$([ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo "$TMP")}

die() { echo "memory: error: $*" >&2; exit 1; }

case "${1:-medium}" in
    medium|large) NAME=${1:-medium} ;;
    -h|--help|help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (want medium or large)" ;;
esac
CAP="$DATA/$NAME.pcap"
if [ ! -s "$CAP" ]; then
    # bench/run.sh knows how to make it (the shared generator, needs root); ask it for no rows
    TOOLS=none RUNS=1 BENCH_DATA="$DATA" "$HERE/run.sh" "$NAME" >/dev/null || die "cannot make $CAP (see bench/run.sh)"
fi
[ -s "$CAP" ] || die "$CAP is missing (sudo bench/run.sh $NAME makes it)"
[ -x "$CHATTCP" ] || die "$CHATTCP is not built (make)"
[ -x "$TIME_BIN" ] || die "$TIME_BIN is missing (apt-get install time)"

W=$(mktemp -d "$TMP/chattcp-memory.XXXXXX")
trap 'rm -rf "$W" "$EXPORT_BASE/chattcp-memory-$$"' EXIT

HASH='import hashlib, sys
h, n = hashlib.sha256(), 0
for b in iter(lambda: sys.stdin.buffer.read(1 << 20), b""):
    h.update(b); n += len(b)
print(n, h.hexdigest()[:16])'

# run BIN ARGS... -> "RSS_MB WALL_S BYTES SHA16" (export: files and listing hashed)
run() {
    local bin=$1; shift
    local out="$W/out" t="$W/time" dir="$EXPORT_BASE/chattcp-memory-$$" rc=0
    if [ "$1" = export ]; then
        rm -rf "$dir"
        "$TIME_BIN" -f '%M %e' -o "$t" "$bin" export --files "$dir" "${@:2}" "$CAP" > "$out" 2> "$W/err" || rc=$?
        local bytes sha
        bytes=$(du -sb "$dir" 2>/dev/null | cut -f1 || echo 0)
        sha=$( { (cd "$dir" 2>/dev/null && find . -type f -print0 | sort -z | xargs -0r sha256sum)
                 sed "s|$dir|DIR|g" "$out" | sha256sum; } | sha256sum | cut -c1-16)
        rm -rf "$dir"
        echo "$(awk 'END { printf "%.0f %s", $1 / 1024, $2 }' "$t") $bytes $sha $rc"
        return
    fi
    # (hashed and counted as it comes: a chat of the large capture is 2 GB)
    "$TIME_BIN" -f '%M %e' -o "$t" "$bin" "$@" "$CAP" 2> "$W/err" | python3 -c "$HASH" > "$W/sum" || rc=$?
    echo "$(awk 'END { printf "%.0f %s", $1 / 1024, $2 }' "$t") $(cat "$W/sum") $rc"
}

CMDS=("stats" "http" "http --json" "chat" "chat --json" "diag" "diag --json" "export")
echo "## $NAME.pcap ($(du -h "$CAP" | cut -f1)), $(date -u +%F), $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
if [ -n "$BASELINE" ]; then
    echo "| command | peak RSS MB (baseline) | peak RSS MB | wall s (baseline) | wall s | output | identical |"
    echo "|---|--:|--:|--:|--:|--:|:-:|"
else
    echo "| command | peak RSS MB | wall s | output bytes | sha256 |"
    echo "|---|--:|--:|--:|---|"
fi
for c in "${CMDS[@]}"; do
    read -r -a args <<< "$c"
    read -r rss wall bytes sha rc <<< "$(run "$CHATTCP" "${args[@]}")"
    label="\`$c\`"; [ "$c" = export ] && label='`export --files DIR`'
    [ "$rc" = 0 ] || label="$label (exit $rc)"
    if [ -n "$BASELINE" ]; then
        read -r brss bwall bbytes bsha brc <<< "$(run "$BASELINE" "${args[@]}")"
        same=no; [ "$sha" = "$bsha" ] && same=yes
        echo "| $label | $brss | $rss | $bwall | $wall | $bytes | $same |"
    else
        echo "| $label | $rss | $wall | $bytes | $sha |"
    fi
done
