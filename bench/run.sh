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
#   BASELINE=PATH     an older chattcp binary: every chattcp row is run for both, interleaved run by
#                     run (old, new, old, new...), and a second table gives both medians, both peak
#                     RSS and new/old with a verdict ("within 10 %" / "slower by N %" / "faster by N %")
#   BASELINE_TOL=10   the tolerance of that verdict, in percent
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
BASELINE=${BASELINE:-}
BASELINE_TOL=${BASELINE_TOL:-10}
EXPORT_BASE="$DATA/tmp"
if [[ $EXPORT_ON == tmpfs && -d /dev/shm && -w /dev/shm ]]; then EXPORT_BASE=/dev/shm/chattcp-bench-$$; fi
GEN_WAIT=${GEN_WAIT:-3600}          # max seconds to wait for a capture someone else is generating
TIME_BIN=${TIME_BIN:-/usr/bin/time}

die()  { echo "bench: error: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; }

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
[[ $BASELINE_TOL =~ ^[0-9]+$ ]] || die "BASELINE_TOL must be a whole number of percent (got '$BASELINE_TOL')"
if [ -n "$BASELINE" ] && { [ ! -f "$BASELINE" ] || [ ! -x "$BASELINE" ]; }; then
    die "BASELINE=$BASELINE is not an executable file"
fi
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
# The baseline is copied too (and never run in place), so it cannot change under the run either.
CTB="" CTB_DESC=""
if [ -n "$BASELINE" ]; then
    if ! want chattcp; then
        note "BASELINE is set but TOOLS has no chattcp: nothing to compare"
    elif [ -n "$CT" ]; then
        CTB_DESC="$BASELINE, built $(date -u -r "$BASELINE" '+%F %H:%M:%S UTC')"
        cp "$BASELINE" "$TMP/chattcp-baseline" || die "could not copy $BASELINE"
        CTB=$TMP/chattcp-baseline
    fi
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
R_CMD=() R_WALL=() R_RSS=() R_STATUS=() R_KEY=() R_REF=() R_SPREAD=()
# The baseline's numbers for the chattcp rows, by row key (only with BASELINE).
declare -A B_WALL=() B_RSS=() B_STATUS=() B_SPREAD=()

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit 1; if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# run_once ERRFILE CMD ARGS...: one timed run, stdout to /dev/null, stderr appended to ERRFILE.
#   Sets RUN_RC (exit code), RUN_WALL (seconds) and RUN_RSS (KiB, 0 if /usr/bin/time gave none).
run_once() {
    local err=$1 tf="$TMP/time" t0 t1 line; shift
    RUN_RC=0
    t0=$EPOCHREALTIME
    "$TIME_BIN" -o "$tf" -f '%M' timeout "$TIMEOUT" "$@" > /dev/null 2>> "$err" || RUN_RC=$?
    t1=$EPOCHREALTIME
    line=$(tail -n 1 "$tf" 2>/dev/null || true)
    [[ $line =~ ^[0-9]+$ ]] && RUN_RSS=$line || RUN_RSS=0
    RUN_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
}

rc_status() { if [ "$1" = 124 ]; then echo "TIMEOUT (${TIMEOUT}s)"; else echo "FAIL (exit $1)"; fi; }

run_failed() {   # run_failed I STATUS ERRFILE [WHO]: say a run failed and show its last stderr lines
    note "   run $1${4:+ ($4)}: $2; last stderr lines ($3):"
    tail -n 3 "$3" | sed 's/^/      /' >&2
}

# spread WALL...: (slowest - fastest) / median of the runs, in percent (how noisy they were)
spread() {
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END {
        m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        if (m > 0) printf "%.1f", (a[NR] - a[1]) / m * 100; else print 0 }'
}

push_row() {   # push_row KEY REF DISPLAY STATUS RSS_MAX_KIB WALL...: one table row from its runs
    local key=$1 ref=$2 disp=$3 status=$4 rss_max=$5; shift 5
    R_CMD+=("$disp") R_KEY+=("$key") R_REF+=("$ref") R_STATUS+=("$status")
    if [ "$status" = ok ]; then
        R_WALL+=("$(printf '%s\n' "$@" | median)")
        R_RSS+=("$(awk -v k="$rss_max" 'BEGIN { printf "%.1f", k / 1024 }')")
        R_SPREAD+=("$(spread "$@")")
    else
        R_WALL+=("") R_RSS+=("") R_SPREAD+=("")
    fi
}

# measure KEY REFKEY DISPLAY RESETDIR -- CMD ARGS...
#   KEY: row id; REFKEY: key of the tshark row it is compared with ('' for none);
#   RESETDIR: directory emptied before each run ('' for none). stdout goes to /dev/null,
#   stderr to DATA/logs/NAME-KEY.err.
measure() {
    local key=$1 ref=$2 disp=$3 resetdir=$4; shift 5
    local err="$LOGS/$key.err" walls=() rss_max=0 status=ok i
    : > "$err"
    note "[$CAP_NAME] $disp  ($RUNS runs)"
    for ((i = 1; i <= RUNS; i++)); do
        if [ -n "$resetdir" ]; then rm -rf "$resetdir"; mkdir -p "$resetdir"; fi
        run_once "$err" "$@"
        if [ "$RUN_RC" != 0 ]; then
            status=$(rc_status "$RUN_RC"); run_failed "$i" "$status" "$err"; break
        fi
        [ "$RUN_RSS" -gt "$rss_max" ] && rss_max=$RUN_RSS
        walls+=("$RUN_WALL")
        note "   run $i: $RUN_WALL s, $((RUN_RSS / 1024)) MB"
    done
    push_row "$key" "$ref" "$disp" "$status" "$rss_max" "${walls[@]}"
}

# measure_pair KEY REFKEY DISPLAY RESETDIR -- NEW_CMD ARGS... ::baseline:: OLD_CMD ARGS...
#   Like measure, for the new binary (its row goes into the main table), and the same runs of the
#   old one interleaved with them: old, new, old, new... so that whatever else the machine does
#   during the run hits both alike. The old one's median, peak RSS and spread go into B_*[KEY].
#   A side that fails stops; the other one goes on. Old stderr goes to DATA/logs/NAME-KEY.baseline.err.
measure_pair() {
    local key=$1 ref=$2 disp=$3 resetdir=$4; shift 5
    local new=() old=() a seen=0
    for a in "$@"; do
        if [ "$seen" = 0 ] && [ "$a" = ::baseline:: ]; then seen=1; continue; fi
        if [ "$seen" = 0 ]; then new+=("$a"); else old+=("$a"); fi
    done
    local err="$LOGS/$key.err" berr="$LOGS/$key.baseline.err" i
    local walls=() rss_max=0 status=ok bwalls=() brss_max=0 bstatus=ok
    : > "$err"; : > "$berr"
    note "[$CAP_NAME] $disp  ($RUNS runs each of baseline and new, interleaved)"
    for ((i = 1; i <= RUNS; i++)); do
        if [ "$bstatus" = ok ]; then
            if [ -n "$resetdir" ]; then rm -rf "$resetdir"; mkdir -p "$resetdir"; fi
            run_once "$berr" "${old[@]}"
            if [ "$RUN_RC" != 0 ]; then
                bstatus=$(rc_status "$RUN_RC"); run_failed "$i" "$bstatus" "$berr" baseline
            else
                [ "$RUN_RSS" -gt "$brss_max" ] && brss_max=$RUN_RSS
                bwalls+=("$RUN_WALL")
                note "   run $i baseline: $RUN_WALL s, $((RUN_RSS / 1024)) MB"
            fi
        fi
        if [ "$status" = ok ]; then
            if [ -n "$resetdir" ]; then rm -rf "$resetdir"; mkdir -p "$resetdir"; fi
            run_once "$err" "${new[@]}"
            if [ "$RUN_RC" != 0 ]; then
                status=$(rc_status "$RUN_RC"); run_failed "$i" "$status" "$err" new
            else
                [ "$RUN_RSS" -gt "$rss_max" ] && rss_max=$RUN_RSS
                walls+=("$RUN_WALL")
                note "   run $i new:      $RUN_WALL s, $((RUN_RSS / 1024)) MB"
            fi
        fi
        [ "$status" = ok ] || [ "$bstatus" = ok ] || break
    done
    push_row "$key" "$ref" "$disp" "$status" "$rss_max" "${walls[@]}"
    B_STATUS[$key]=$bstatus
    if [ "$bstatus" = ok ]; then
        B_WALL[$key]=$(printf '%s\n' "${bwalls[@]}" | median)
        B_RSS[$key]=$(awk -v k="$brss_max" 'BEGIN { printf "%.1f", k / 1024 }')
        B_SPREAD[$key]=$(spread "${bwalls[@]}")
    fi
}

# ct_measure KEY REFKEY DISPLAY RESETDIR -- ARGS...: a chattcp row. ARGS may hold the word @BIN@
#   (replaced by the binary) and @ID@ (replaced by NEW_ID / BASE_ID); without @BIN@ the binary is
#   put in front. With a baseline that passed its probe (BASE_SKIP empty) both are timed
#   (measure_pair), otherwise the new one alone and BASE_SKIP is kept as the reason.
NEW_ID="" BASE_ID="" BASE_SKIP=""
ct_measure() {
    local key=$1 ref=$2 disp=$3 resetdir=$4; shift 5
    local new=() old=() a
    [[ " $* " == *" @BIN@ "* ]] || set -- @BIN@ "$@"
    for a in "$@"; do
        case "$a" in
            @BIN@) new+=("$CT") old+=("$CTB") ;;
            @ID@)  new+=("$NEW_ID") old+=("$BASE_ID") ;;
            *)     new+=("$a") old+=("$a") ;;
        esac
    done
    if [ -n "$CTB" ] && [ -z "$BASE_SKIP" ]; then
        measure_pair "$key" "$ref" "$disp" "$resetdir" -- "${new[@]}" ::baseline:: "${old[@]}"
    else
        measure "$key" "$ref" "$disp" "$resetdir" -- "${new[@]}"
        [ -n "$CTB" ] && B_STATUS[$key]="skipped: $BASE_SKIP"
    fi
    return 0
}

skip_row() {   # skip_row DISPLAY REASON
    R_CMD+=("$1") R_KEY+=("") R_REF+=("") R_STATUS+=("skipped: $2") R_WALL+=("") R_RSS+=("") R_SPREAD+=("")
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
#   The output is kept in TMP/probe.out. probe_base does the same with the baseline binary (output in
#   TMP/probe-base.out) and sets BASE_SKIP to why it failed (empty: it works, or there is no baseline).
#   PROBE_STDIN=FILE feeds FILE on standard input (default /dev/null).
PROBE_MSG=""
probe_with() {   # probe_with BIN OUT SUB ARGS...
    local bin=$1 out=$2 errf="$TMP/probe.err" rc=0; shift 2
    timeout 60 "$bin" "$@" < "${PROBE_STDIN:-/dev/null}" > "$out" 2> "$errf" || rc=$?
    if [ "$rc" != 0 ]; then
        PROBE_MSG="exit $rc on a ${PROBE_PACKETS}-packet capture: $(head -n 1 "$errf" | cut -c1-100)"
        return 1
    fi
    return 0
}
probe_chattcp() { probe_with "$CT" "$TMP/probe.out" "$@"; }
probe_base() {
    BASE_SKIP=""
    [ -n "$CTB" ] || return 0
    probe_with "$CTB" "$TMP/probe-base.out" "$@" || BASE_SKIP="baseline: $PROBE_MSG"
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

baseline_line() {
    local same=""
    cmp -s "$CT" "$CTB" && same="; byte-identical to the new binary, so the ratios below are pure noise"
    echo "$CTB_DESC, sha256 $(sha256sum < "$CTB" | cut -c1-12) (new: $(sha256sum < "$CT" | cut -c1-12); timed a copy taken at start$same)"
}

# verdict RATIO: within BASELINE_TOL %, or slower/faster by how much
verdict() {
    awk -v r="$1" -v t="$BASELINE_TOL" 'BEGIN {
        d = (r - 1) * 100
        if (d > t) printf "slower by %.0f %%", d
        else if (-d > t) printf "faster by %.0f %%", -d
        else printf "within %d %%", t }'
}

# baseline_table: the chattcp rows side by side with the baseline (part of bench_one's report)
baseline_table() {
    local i key bw nw ratio v rratio noisy=()
    echo
    echo "### new vs baseline"
    echo
    echo "$RUNS runs per binary and row, interleaved: baseline, new, baseline, new... new/old is the ratio of the medians; spread is (slowest - fastest) / median over one binary's runs, in percent."
    echo
    printf '| %-52s | %10s | %10s | %7s | %-15s | %11s | %11s | %7s | %16s |\n' "command (FILE = $CAP_NAME.pcap)" \
        "old wall s" "new wall s" "new/old" "verdict" "old RSS MB" "new RSS MB" "RSS n/o" "spread old / new"
    printf '|%s|%s:|%s:|%s:|%s|%s:|%s:|%s:|%s:|\n' "$(printf -- '-%.0s' {1..54})" "$(printf -- '-%.0s' {1..11})" \
        "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..8})" "$(printf -- '-%.0s' {1..17})" \
        "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..8})" "$(printf -- '-%.0s' {1..17})"
    for i in "${!R_CMD[@]}"; do
        key=${R_KEY[$i]}
        [[ $key == c_* ]] || [[ ${R_CMD[$i]} == chattcp* ]] || continue
        if [ -z "$key" ] || [ -z "${B_STATUS[$key]+x}" ]; then
            printf '| %-52s | %10s | %10s | %7s | %-15s | %11s | %11s | %7s | %16s |\n' "${R_CMD[$i]}" "" "${R_STATUS[$i]%%:*}" "" "" "" "" "" ""
            continue
        fi
        if [ "${B_STATUS[$key]}" != ok ] || [ "${R_STATUS[$i]}" != ok ]; then
            bw=${B_STATUS[$key]%%:*} nw=${R_STATUS[$i]%%:*}
            [ "${B_STATUS[$key]}" = ok ] && bw=$(printf '%.3f' "${B_WALL[$key]}")
            [ "${R_STATUS[$i]}" = ok ] && nw=$(printf '%.3f' "${R_WALL[$i]}")
            [[ ${B_STATUS[$key]} == skipped:* ]] && notes+=("${R_CMD[$i]}: ${B_STATUS[$key]}")
            printf '| %-52s | %10s | %10s | %7s | %-15s | %11s | %11s | %7s | %16s |\n' "${R_CMD[$i]}" \
                "$bw" "$nw" "" "" "${B_RSS[$key]:-}" "${R_RSS[$i]}" "" ""
            continue
        fi
        bw=${B_WALL[$key]} nw=${R_WALL[$i]}
        ratio=$(awk -v a="$nw" -v b="$bw" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
        v=$(verdict "$(awk -v a="$nw" -v b="$bw" 'BEGIN { printf "%.6f", (b > 0 ? a / b : 0) }')")
        rratio=$(awk -v a="${R_RSS[$i]}" -v b="${B_RSS[$key]}" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
        printf '| %-52s | %10.3f | %10.3f | %7s | %-15s | %11s | %11s | %7s | %16s |\n' "${R_CMD[$i]}" \
            "$bw" "$nw" "$ratio" "$v" "${B_RSS[$key]}" "${R_RSS[$i]}" "$rratio" "${B_SPREAD[$key]} / ${R_SPREAD[$i]} %"
        if awk -v a="${B_SPREAD[$key]}" -v b="${R_SPREAD[$i]}" -v t="$BASELINE_TOL" 'BEGIN { exit !(a > t || b > t) }'; then
            local nm=${R_CMD[$i]%%: *}; noisy+=("${nm%% (largest*}")
        fi
    done
    if [ ${#noisy[@]} -gt 0 ]; then
        echo
        echo "Runs of one binary spread by more than the $BASELINE_TOL % tolerance in: $(IFS=';'; echo "${noisy[*]}" | sed 's/;/; /g'). Their verdict is not reliable: run again with more RUNS, on a quieter machine."
    fi
}

bench_one() {   # bench_one NAME: measure every command on DATA/NAME.pcap, append the table to REPORT
    CAP_NAME=$1
    local f="$DATA/$1.pcap" name=$1 floor_out npkts size_mb exp_t="$EXPORT_BASE/export-tshark" exp_c="$EXPORT_BASE/export-chattcp"
    LOGS="$DATA/logs/$name"; mkdir -p "$LOGS"
    R_CMD=() R_WALL=() R_RSS=() R_STATUS=() R_KEY=() R_REF=() R_SPREAD=()
    B_WALL=() B_RSS=() B_STATUS=() B_SPREAD=()
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
            for sub in "stats FILE" "conns --json FILE" "chat FILE -c ID" "chat - (pipe)" "http --json FILE" "export FILE --files DIR"; do
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
                probe_base stats "$probe"
                ct_measure c_stats ts_flags "chattcp stats FILE" "" -- stats "$f"
            else skip_row "chattcp stats FILE" "$PROBE_MSG"; fi

            # a display filter over the whole capture (issue 16: within 2x of stats)
            if probe_chattcp search "$probe" -Y 'tcp.analysis.flags'; then
                probe_base search "$probe" -Y 'tcp.analysis.flags'
                ct_measure c_search_y ts_flags "chattcp search FILE -Y 'tcp.analysis.flags'" "" -- search "$f" -Y 'tcp.analysis.flags'
            else skip_row "chattcp search FILE -Y" "$PROBE_MSG"; fi

            if probe_chattcp conns --json "$probe"; then
                cp "$TMP/probe.out" "$TMP/probe-conns.out"
                probe_base conns --json "$probe"
                local base_conns_ok=0
                [ -n "$CTB" ] && [ -z "$BASE_SKIP" ] && base_conns_ok=1 && cp "$TMP/probe-base.out" "$TMP/probe-base-conns.out"
                ct_measure c_conns ts_conv "chattcp conns --json FILE" "" -- conns --json "$f"
                # chat of the largest connection: its id from one (untimed) conns --json run
                id="" NEW_ID="" BASE_ID=""
                local pid bpid="" base_chat_skip=""
                pid=$(largest_conn "$TMP/probe-conns.out" 2>/dev/null || echo 0)
                if [ -n "$CTB" ]; then
                    # The baseline may number connections differently: it is timed on its own id
                    # of the largest connection, found the same way with its own conns --json.
                    if [ "$base_conns_ok" = 1 ]; then
                        bpid=$(largest_conn "$TMP/probe-base-conns.out" 2>/dev/null || echo 0)
                        if ! timeout "$TIMEOUT" "$CTB" conns --json "$f" > "$TMP/conns-base.ndjson" 2>/dev/null \
                            || ! BASE_ID=$(largest_conn "$TMP/conns-base.ndjson" 2>/dev/null); then
                            BASE_ID="" base_chat_skip="baseline: no connection id found in its conns --json output"
                        fi
                    else
                        base_chat_skip="baseline: needs its conns --json for the id"
                    fi
                fi
                if probe_chattcp chat "$probe" -c "$pid"; then
                    if timeout "$TIMEOUT" "$CT" conns --json "$f" > "$TMP/conns.ndjson" 2>/dev/null; then
                        id=$(largest_conn "$TMP/conns.ndjson" 2>/dev/null || true)
                    fi
                    if [ -n "$id" ]; then
                        NEW_ID=$id
                        if [ -n "$CTB" ] && [ -n "$BASE_ID" ] && [ "$BASE_ID" != "$id" ]; then
                            notes+=("the baseline numbers the largest connection $BASE_ID (new: $id): each binary's chat rows use its own id")
                        fi
                        BASE_SKIP=$base_chat_skip
                        [ -z "$BASE_SKIP" ] && probe_base chat "$probe" -c "$bpid"
                        ct_measure c_chat "" "chattcp chat FILE -c ID (largest conn, id $id)" "" -- chat "$f" -c @ID@
                        # the same chat read from a pipe: today chattcp reads standard input whole
                        # before it starts, so this row's peak RSS shows what a streaming reader saves
                        if PROBE_STDIN=$probe probe_chattcp chat -c "$pid" -; then
                            BASE_SKIP=$base_chat_skip
                            [ -z "$BASE_SKIP" ] && PROBE_STDIN=$probe probe_base chat -c "$bpid" -
                            ct_measure c_chat_pipe "" "chattcp chat - (pipe): cat FILE into chat -c $id -" "" -- \
                                bash -c 'set -o pipefail; cat "$1" | "$2" chat -c "$3" -' pipe "$f" @BIN@ @ID@
                        else skip_row "chattcp chat - (pipe)" "$PROBE_MSG"; fi
                    else
                        skip_row "chattcp chat FILE -c ID" "no connection id found in conns --json output"
                        skip_row "chattcp chat - (pipe)" "no connection id found in conns --json output"
                    fi
                else
                    skip_row "chattcp chat FILE -c ID" "$PROBE_MSG"
                    skip_row "chattcp chat - (pipe)" "$PROBE_MSG"
                fi
            else
                skip_row "chattcp conns --json FILE" "$PROBE_MSG"
                skip_row "chattcp chat FILE -c ID" "needs conns --json for the id"
                skip_row "chattcp chat - (pipe)" "needs conns --json for the id"
            fi

            if probe_chattcp http --json "$probe"; then
                probe_base http --json "$probe"
                ct_measure c_http "" "chattcp http --json FILE" "" -- http --json "$f"
            else skip_row "chattcp http --json FILE" "$PROBE_MSG"; fi

            rm -rf "$TMP/probe-export"
            if probe_chattcp export "$probe" --files "$TMP/probe-export"; then
                rm -rf "$TMP/probe-export"
                probe_base export "$probe" --files "$TMP/probe-export"
                ct_measure c_export ts_export "chattcp export FILE --files DIR" "$exp_c" -- export "$f" --files "$exp_c"
                notes+=("chattcp export wrote $(count_files "$exp_c") files${CTB:+ (in the last run, by the new binary)}")
                rm -rf "$exp_c"
            else skip_row "chattcp export FILE --files DIR" "$PROBE_MSG"; fi
        fi
    fi
    rmdir "$DATA/tmp" 2>/dev/null || true
    local cw cp_ i
    for i in "${!R_KEY[@]}"; do
        [ "${R_KEY[$i]}" = c_chat ] && [ "${R_STATUS[$i]}" = ok ] && cw=${R_RSS[$i]}
        [ "${R_KEY[$i]}" = c_chat_pipe ] && [ "${R_STATUS[$i]}" = ok ] && cp_=${R_RSS[$i]}
    done
    [ -n "${cw:-}" ] && [ -n "${cp_:-}" ] && notes+=("chat from a pipe: peak RSS $cp_ MB, from the file $cw MB, capture $size_mb MB (standard input is read whole before the first packet; a file is mapped with mmap, whose pages touched count in RSS too)")

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
        [ -n "$CTB" ] && echo "- baseline: $(baseline_line)"
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
        [ -n "$CTB" ] && baseline_table
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
