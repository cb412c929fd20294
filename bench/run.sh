#!/usr/bin/env bash
# bench/run.sh — time chattcp against the libpcap floor, tcpdump, tcptrace and tshark.
#
#   bench/run.sh [medium|large|all]          (default: medium)
#
# Makes (or reuses) bench/data/NAME.pcap with the shared make-bench-pcap.sh, then runs every
# command RUNS times on it and prints one markdown table (also written to bench/data/last-run.md).
# See bench/README.md for what each row means.
#
# Environment (all optional):
#   RUNS=3            runs per command; the table shows the median wall time
#   TOOLS=...         comma list of row groups to run: tcpdump,tcptrace,tshark,chattcp (default: all;
#                     the libpcap floor always runs, it is the reference for the last column)
#   CHATTCP=PATH      chattcp binary (default: REPO/build/chattcp; rows skipped if missing/broken)
#   SHARED=DIR        the shared/ directory holding bench/make-bench-pcap.sh
#                     (default: first of REPO/../shared, REPO/shared that has it)
#   BENCH_DATA=DIR    where captures, logs and results go (default: REPO/bench/data)
#   TIMEOUT=1800      seconds before one run of one command is killed
#   CC=cc             compiler for the floor program
#   EXPORT_ON=tmpfs   where both export rows write their files: tmpfs (default, /dev/shm when it
#                     exists) or disk (BENCH_DATA/tmp). On ext4 the time to create 22k files is
#                     the file system's inode allocator, and it swung from 1.5 s to 19 s between
#                     identical runs of the same binary (it depends on what earlier runs deleted):
#                     tmpfs measures the tools, disk measures the disk.
set -euo pipefail
export LC_ALL=C           # '.' as decimal separator in EPOCHREALTIME/awk/printf

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=${REPO:-$(cd "$HERE/.." && pwd)}
DATA=${BENCH_DATA:-$HERE/data}
RUNS=${RUNS:-3}
TOOLS=${TOOLS:-tcpdump,tcptrace,tshark,chattcp}
CHATTCP=${CHATTCP:-$REPO/build/chattcp}
TIMEOUT=${TIMEOUT:-1800}
CC=${CC:-cc}
EXPORT_ON=${EXPORT_ON:-tmpfs}
EXPORT_BASE="$DATA/tmp"
if [[ $EXPORT_ON == tmpfs && -d /dev/shm && -w /dev/shm ]]; then EXPORT_BASE=/dev/shm/chattcp-bench-$$; fi
GEN_WAIT=${GEN_WAIT:-3600}          # max seconds to wait for a capture someone else is generating
TIME_BIN=${TIME_BIN:-/usr/bin/time}

die()  { echo "bench: error: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }

case "${1:-medium}" in
    medium) SIZES=(medium) ;;
    large)  SIZES=(large) ;;
    all)    SIZES=(medium large) ;;
    -h|--help|help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '${1}' (want medium, large or all)" ;;
esac
[ $# -le 1 ] || die "too many arguments"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer (got '$RUNS')"
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "TIMEOUT must be a positive integer (got '$TIMEOUT')"
[ "${BASH_VERSINFO[0]}" -ge 5 ] || die "needs bash >= 5 (EPOCHREALTIME)"

want() { [[ ",$TOOLS," == *",$1,"* ]]; }
is_root() { [ "$(id -u)" = 0 ]; }

mkdir -p "$DATA"
TMP=$(mktemp -d "$DATA/.run.XXXXXX")
trap 'rm -rf "$TMP"; [[ $EXPORT_BASE == /dev/shm/* ]] && rm -rf "$EXPORT_BASE"' EXIT

# ---------------------------------------------------------------- tools
# ensure_cmd CMD PACKAGE: true if CMD is usable, installing the Debian package as root if needed.
ensure_cmd() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if is_root && command -v apt-get >/dev/null 2>&1; then
        note "installing $2 (for $1)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2"; } >/dev/null 2>&1 || true
    fi
    command -v "$1" >/dev/null 2>&1
}

[ -x "$TIME_BIN" ] || ensure_cmd /usr/bin/time time || true
[ -x "$TIME_BIN" ] || die "$TIME_BIN not found (apt-get install time)"
command -v timeout >/dev/null || die "timeout (coreutils) not found"
[ -e /usr/include/pcap/pcap.h ] || [ -e /usr/include/pcap.h ] || ensure_cmd pcap-config libpcap-dev || true

HAVE_TCPDUMP=0 HAVE_TCPTRACE=0 HAVE_TSHARK=0
SKIPNOTES=()
if want tcpdump;  then ensure_cmd tcpdump tcpdump   && HAVE_TCPDUMP=1  || SKIPNOTES+=("tcpdump: not installed"); fi
if want tcptrace; then ensure_cmd tcptrace tcptrace && HAVE_TCPTRACE=1 || SKIPNOTES+=("tcptrace: not installed"); fi
if want tshark;   then ensure_cmd tshark tshark     && HAVE_TSHARK=1   || SKIPNOTES+=("tshark: not installed"); fi

# ---------------------------------------------------------------- the floor program
FLOOR=$DATA/pcap_floor
build_floor() {
    if [ ! -x "$FLOOR" ] || [ "$HERE/pcap_floor.c" -nt "$FLOOR" ]; then
        note "building $FLOOR"
        "$CC" -O2 -Wall -Wextra -o "$FLOOR.tmp" "$HERE/pcap_floor.c" -lpcap \
            || die "could not build the floor program (is libpcap-dev installed?)"
        mv "$FLOOR.tmp" "$FLOOR"
    fi
}
build_floor

# ---------------------------------------------------------------- chattcp snapshot
# Time a copy taken now, so a concurrent `make` (or make clean) cannot change the binary mid-run.
CT="" CT_DESC=""
if want chattcp && [ -x "$CHATTCP" ]; then
    CT_DESC="$CHATTCP, built $(date -u -r "$CHATTCP" '+%F %H:%M:%S UTC')"
    cp "$CHATTCP" "$TMP/chattcp" 2>/dev/null && CT=$TMP/chattcp || note "could not copy $CHATTCP; chattcp rows skipped"
fi

# ---------------------------------------------------------------- captures
find_shared_script() {
    local d
    for d in ${SHARED:+"$SHARED"} "$REPO/../shared" "$REPO/shared"; do
        if [ -f "$d/bench/make-bench-pcap.sh" ]; then
            echo "$(cd "$d" && pwd)/bench/make-bench-pcap.sh"; return 0
        fi
    done
    return 1
}

# The shared script makes network namespaces cb-cli/cb-rtr/cb-srv; two generations cannot run at once.
generation_running() { ip netns list 2>/dev/null | grep -qE '^cb-(cli|rtr|srv)( |$)'; }

ensure_capture() {   # ensure_capture NAME -> DATA/NAME.pcap exists
    local name=$1 f="$DATA/$1.pcap" info="$DATA/$1.info" waited=0 gen
    while :; do
        if [ -s "$f" ] && [ -s "$info" ]; then
            note "reusing $f"; return 0
        fi
        if generation_running; then
            [ "$waited" -lt "$GEN_WAIT" ] || die "a capture is still being generated after ${GEN_WAIT}s (netns cb-* exist)"
            [ $((waited % 60)) = 0 ] && note "a capture is being generated (netns cb-* exist); waiting for it to finish..."
            sleep 10; waited=$((waited + 10)); continue
        fi
        if [ -s "$f" ]; then
            note "WARNING: reusing $f, but $info is missing: the capture may be incomplete (delete it to regenerate)"
            return 0
        fi
        break
    done
    gen=$(find_shared_script) || die "cannot find shared/bench/make-bench-pcap.sh (set SHARED=/path/to/shared)"
    is_root || die "$f is missing and making it needs root (network namespaces): sudo $0 $name"
    local avail_kb need_kb=$((4 * 1024 * 1024))
    [ "$name" = large ] && need_kb=$((6 * 1024 * 1024))
    avail_kb=$(df -Pk "$DATA" | awk 'NR == 2 { print $4 }')
    [ "$avail_kb" -ge "$need_kb" ] || die "not enough free disk in $DATA for $name ($((avail_kb / 1024)) MB free, want $((need_kb / 1024)) MB)"
    exec 9> "$DATA/.generate.lock"
    flock 9
    if [ -s "$f" ]; then exec 9>&-; note "reusing $f (made while waiting for the lock)"; return 0; fi
    note "making $f with $gen (takes a while: medium ~1 min, large several minutes)"
    "$gen" "$name" "$DATA" 2>&1 | tee "$DATA/make-$name.log" >&2 \
        || die "make-bench-pcap.sh $name failed (log: $DATA/make-$name.log)"
    exec 9>&-
    [ -s "$f" ] || die "make-bench-pcap.sh finished but $f is missing"
}

# ---------------------------------------------------------------- measuring
# Rows, in table order.
R_CMD=() R_WALL=() R_RSS=() R_STATUS=() R_KEY=() R_REF=()

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit 1; if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# measure KEY REFKEY DISPLAY RESETDIR -- CMD ARGS...
#   KEY: row id; REFKEY: key of the tshark row it is compared with ('' for none);
#   RESETDIR: directory emptied before each run ('' for none). stdout goes to /dev/null,
#   stderr to DATA/logs/NAME-KEY.err.
measure() {
    local key=$1 ref=$2 disp=$3 resetdir=$4; shift 5
    local err="$LOGS/$key.err" tf="$TMP/time" walls=() rss_max=0 status=ok rc i t0 t1 line rss
    : > "$err"
    note "[$CAP_NAME] $disp  ($RUNS runs)"
    for ((i = 1; i <= RUNS; i++)); do
        if [ -n "$resetdir" ]; then rm -rf "$resetdir"; mkdir -p "$resetdir"; fi
        rc=0
        t0=$EPOCHREALTIME
        "$TIME_BIN" -o "$tf" -f '%M' timeout "$TIMEOUT" "$@" > /dev/null 2>> "$err" || rc=$?
        t1=$EPOCHREALTIME
        line=$(tail -n 1 "$tf" 2>/dev/null || true)
        if [ "$rc" != 0 ]; then
            if [ "$rc" = 124 ]; then status="TIMEOUT (${TIMEOUT}s)"; else status="FAIL (exit $rc)"; fi
            note "   run $i: $status; last stderr lines ($err):"
            tail -n 3 "$err" | sed 's/^/      /' >&2
            break
        fi
        [[ $line =~ ^[0-9]+$ ]] && rss=$line || rss=0
        [ "$rss" -gt "$rss_max" ] && rss_max=$rss
        walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')")
        note "   run $i: ${walls[-1]} s, $((rss / 1024)) MB"
    done
    R_CMD+=("$disp") R_KEY+=("$key") R_REF+=("$ref") R_STATUS+=("$status")
    if [ "$status" = ok ]; then
        R_WALL+=("$(printf '%s\n' "${walls[@]}" | median)")
        R_RSS+=("$(awk -v k="$rss_max" 'BEGIN { printf "%.1f", k / 1024 }')")
    else
        R_WALL+=("") R_RSS+=("")
    fi
}

skip_row() {   # skip_row DISPLAY REASON
    R_CMD+=("$1") R_KEY+=("") R_REF+=("") R_STATUS+=("skipped: $2") R_WALL+=("") R_RSS+=("")
}

wall_of() {    # wall_of KEY -> median wall time of that row, or nothing
    local i
    for i in "${!R_KEY[@]}"; do
        if [ "${R_KEY[$i]}" = "$1" ] && [ "${R_STATUS[$i]}" = ok ]; then echo "${R_WALL[$i]}"; return; fi
    done
}

count_files() { [ -d "$1" ] && find "$1" -type f | wc -l || echo 0; }

# ---------------------------------------------------------------- chattcp probing
# probe_chattcp SUB ARGS...: run one chattcp subcommand on the small probe capture; true if it works.
PROBE_MSG=""
probe_chattcp() {
    local out="$TMP/probe.out" errf="$TMP/probe.err" rc=0
    timeout 60 "$CT" "$@" > "$out" 2> "$errf" || rc=$?
    if [ "$rc" != 0 ]; then
        PROBE_MSG="exit $rc on a ${PROBE_PACKETS}-packet capture: $(head -n 1 "$errf" | cut -c1-100)"
        return 1
    fi
    return 0
}

# largest_conn NDJSON -> id of the connection with the most bytes_c2s + bytes_s2c
largest_conn() {
    command -v python3 >/dev/null || return 1
    python3 - "$1" <<'EOF'
import json, sys
best, best_bytes = None, -1
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for line in f:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if "id" not in o:
            continue
        b = int(o.get("bytes_c2s") or 0) + int(o.get("bytes_s2c") or 0)
        if b > best_bytes:
            best, best_bytes = o["id"], b
if best is None:
    sys.exit(1)
print(best)
EOF
}

# ---------------------------------------------------------------- one capture
machine_line() {
    local model mem
    model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
    [ -n "$model" ] || model=$(uname -m)
    mem=$(awk '/^MemTotal/ { printf "%.0f GB RAM", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
    echo "$model, nproc $(nproc), ${mem:-? RAM}, Linux $(uname -r)"
}

versions_line() {
    local v=()
    [ "$HAVE_TSHARK" = 1 ]   && v+=("$(tshark --version 2>/dev/null | head -n 1 | awk '{ print "tshark " $3 }')")
    [ "$HAVE_TCPDUMP" = 1 ]  && v+=("$(tcpdump --version 2>&1 | awk 'NR <= 2 { printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $3 }')")
    [ "$HAVE_TCPTRACE" = 1 ] && v+=("tcptrace $(tcptrace -v 2>&1 | grep -o 'version [0-9.]*' | head -n 1 | cut -d' ' -f2)")
    [ ${#v[@]} -gt 0 ] || { echo "-"; return; }
    local IFS=';'; echo "${v[*]}" | sed 's/;/; /g'
}

chattcp_line() {
    local rev
    rev=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo "?")
    git -C "$REPO" diff --quiet HEAD -- src 2>/dev/null || rev="$rev+dirty-src"
    if [ -n "$CT" ]; then
        echo "$CT_DESC (repo HEAD $rev; timed a copy taken at start)"
    else
        echo "not built ($CHATTCP missing; repo HEAD $rev)"
    fi
}

bench_one() {   # bench_one NAME: measure every command on DATA/NAME.pcap, append the table to REPORT
    CAP_NAME=$1
    local f="$DATA/$1.pcap" name=$1 floor_out npkts size_mb exp_t="$EXPORT_BASE/export-tshark" exp_c="$EXPORT_BASE/export-chattcp"
    LOGS="$DATA/logs/$name"; mkdir -p "$LOGS"
    R_CMD=() R_WALL=() R_RSS=() R_STATUS=() R_KEY=() R_REF=()
    local notes=("${SKIPNOTES[@]}")
    notes+=("both export rows write to $EXPORT_BASE (EXPORT_ON=$EXPORT_ON)")
    if awk -v l="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)" 'BEGIN { exit !(l > 0.5) }'; then
        notes+=("the machine was busy when this started (load average $(cut -d' ' -f1 /proc/loadavg)): times are noisy")
    fi

    local load0
    load0=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
    note "[$name] warming the page cache ($f)"
    cat "$f" > /dev/null
    floor_out=$("$FLOOR" "$f") || die "pcap_floor could not read $f"
    npkts=$(awk '{ print $2 }' <<< "$floor_out")
    size_mb=$(stat -c %s "$f" | awk '{ printf "%.1f", $1 / 1e6 }')

    measure floor "" "pcap_floor FILE (libpcap read loop)" "" -- "$FLOOR" "$f"
    [ "$HAVE_TCPDUMP" = 1 ]  && measure tcpdump "" "tcpdump -nr FILE" "" -- tcpdump -nr "$f"
    [ "$HAVE_TCPTRACE" = 1 ] && measure tcptrace "" "tcptrace -n FILE" "" -- tcptrace -n "$f"
    if [ "$HAVE_TSHARK" = 1 ]; then
        measure ts_conv "" "tshark -q -z conv,tcp -r FILE" "" -- tshark -q -z conv,tcp -r "$f"
        measure ts_flags "" "tshark -r FILE -Y tcp.analysis.flags" "" -- tshark -r "$f" -Y tcp.analysis.flags
        if [ "$name" = medium ]; then
            measure ts_export "" "tshark -r FILE -q --export-objects http,DIR" "$exp_t" -- \
                tshark -r "$f" -q --export-objects "http,$exp_t"
            notes+=("tshark --export-objects wrote $(count_files "$exp_t") files")
            rm -rf "$exp_t"
        fi
    fi

    if want chattcp; then
        local sub ok_any=0 id
        if [ -z "$CT" ]; then
            for sub in "stats FILE" "conns --json FILE" "chat FILE -c ID" "http --json FILE" "export FILE --files DIR"; do
                skip_row "chattcp $sub" "no binary"
            done
            notes+=("chattcp rows skipped: $CHATTCP does not exist (run make)")
        else
            # a small capture (first 2000 packets) to probe which subcommands work
            PROBE_PACKETS=2000
            local probe="$TMP/probe.pcap"
            if command -v editcap >/dev/null; then
                editcap -r "$f" "$probe" "1-$PROBE_PACKETS" >/dev/null 2>&1 || true
            fi
            if [ ! -s "$probe" ] && command -v tcpdump >/dev/null; then
                tcpdump -Z "$(id -un)" -r "$f" -c "$PROBE_PACKETS" -w "$probe" >/dev/null 2>&1 || true
            fi
            [ -s "$probe" ] || die "could not make a probe capture (need editcap or tcpdump)"

            if probe_chattcp stats "$probe"; then
                measure c_stats ts_flags "chattcp stats FILE" "" -- "$CT" stats "$f"
            else skip_row "chattcp stats FILE" "$PROBE_MSG"; fi

            if probe_chattcp conns --json "$probe"; then
                measure c_conns ts_conv "chattcp conns --json FILE" "" -- "$CT" conns --json "$f"
                # chat of the largest connection: its id from one (untimed) conns --json run
                id=""
                if probe_chattcp chat "$probe" -c "$(largest_conn "$TMP/probe.out" 2>/dev/null || echo 0)"; then
                    if timeout "$TIMEOUT" "$CT" conns --json "$f" > "$TMP/conns.ndjson" 2>/dev/null; then
                        id=$(largest_conn "$TMP/conns.ndjson" 2>/dev/null || true)
                    fi
                    if [ -n "$id" ]; then
                        measure c_chat "" "chattcp chat FILE -c ID (largest conn, id $id)" "" -- "$CT" chat "$f" -c "$id"
                    else
                        skip_row "chattcp chat FILE -c ID" "no connection id found in conns --json output"
                    fi
                else skip_row "chattcp chat FILE -c ID" "$PROBE_MSG"; fi
            else
                skip_row "chattcp conns --json FILE" "$PROBE_MSG"
                skip_row "chattcp chat FILE -c ID" "needs conns --json for the id"
            fi

            if probe_chattcp http --json "$probe"; then
                measure c_http "" "chattcp http --json FILE" "" -- "$CT" http --json "$f"
            else skip_row "chattcp http --json FILE" "$PROBE_MSG"; fi

            rm -rf "$TMP/probe-export"
            if probe_chattcp export "$probe" --files "$TMP/probe-export"; then
                measure c_export ts_export "chattcp export FILE --files DIR" "$exp_c" -- "$CT" export "$f" --files "$exp_c"
                notes+=("chattcp export wrote $(count_files "$exp_c") files")
                rm -rf "$exp_c"
            else skip_row "chattcp export FILE --files DIR" "$PROBE_MSG"; fi
        fi
    fi
    rmdir "$DATA/tmp" 2>/dev/null || true

    # ---- the table
    local floor_wall i ref rw wall rss vs_ts vs_floor
    floor_wall=$(wall_of floor)
    {
        echo "## $name.pcap"
        echo
        echo "- capture: \`${f#"$REPO"/}\`, $size_mb MB, $npkts packets ($(awk '{ printf "%.1f MB captured", $4 / 1e6 }' <<< "$floor_out"))"
        echo "- date: $(date -u '+%F %H:%M UTC')"
        echo "- machine: $(machine_line); load average at start $load0, at end $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")"
        echo "- chattcp: $(chattcp_line)"
        echo "- tools: $(versions_line)"
        echo "- method: wall = median of $RUNS runs (warm page cache, stdout to /dev/null); peak RSS = max over runs (\`/usr/bin/time -f %M\`)"
        echo
        printf '| %-52s | %15s | %11s | %9s | %9s |\n' "command (FILE = $name.pcap)" "wall s (median)" "peak RSS MB" "vs tshark" "vs floor"
        printf '|%s|%s:|%s:|%s:|%s:|\n' "$(printf -- '-%.0s' {1..54})" "$(printf -- '-%.0s' {1..16})" \
            "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..10})" "$(printf -- '-%.0s' {1..10})"
        for i in "${!R_CMD[@]}"; do
            if [ "${R_STATUS[$i]}" != ok ]; then
                printf '| %-52s | %15s | %11s | %9s | %9s |\n' "${R_CMD[$i]}" "${R_STATUS[$i]%%:*}" "" "" ""
                [[ ${R_STATUS[$i]} == skipped:* && ${R_STATUS[$i]} != "skipped: no binary" ]] \
                    && notes+=("${R_CMD[$i]}: ${R_STATUS[$i]}")
                continue
            fi
            wall=${R_WALL[$i]} rss=${R_RSS[$i]} vs_ts="" vs_floor=""
            ref=${R_REF[$i]}
            if [ -n "$ref" ]; then
                rw=$(wall_of "$ref")
                [ -n "$rw" ] && vs_ts=$(awk -v a="$wall" -v b="$rw" 'BEGIN { printf "%.3gx", a / b }') || vs_ts="n/a"
            fi
            [ -n "$floor_wall" ] && vs_floor=$(awk -v a="$wall" -v b="$floor_wall" 'BEGIN { printf "%.3gx", a / b }')
            printf '| %-52s | %15.3f | %11s | %9s | %9s |\n' "${R_CMD[$i]}" "$wall" "$rss" "$vs_ts" "$vs_floor"
        done
        echo
        echo "vs tshark = wall / wall of the equivalent tshark row (stats: \`-Y tcp.analysis.flags\`, conns: \`-z conv,tcp\`, export: \`--export-objects\`); below 1 is faster than tshark."
        echo "vs floor = wall / wall of pcap_floor (the cost of just reading the file with libpcap)."
        if [ ${#notes[@]} -gt 0 ]; then
            echo
            echo "Notes:"
            for i in "${notes[@]}"; do echo "- $i"; done
        fi
        echo
    } >> "$REPORT"
}

# ---------------------------------------------------------------- main
for s in "${SIZES[@]}"; do ensure_capture "$s"; done

REPORT="$TMP/report.md"
echo "# chattcp benchmark" > "$REPORT"
echo >> "$REPORT"
for s in "${SIZES[@]}"; do bench_one "$s"; done

cp "$REPORT" "$DATA/last-run.md"
mkdir -p "$DATA/history"
cp "$REPORT" "$DATA/history/$(date -u +%Y%m%dT%H%M%SZ)-$(IFS=-; echo "${SIZES[*]}").md"
echo
cat "$REPORT"
note "written to $DATA/last-run.md"
