#!/usr/bin/env bash
# bench/live.sh: how much traffic `chattcp live` keeps up with, full analysis on.
#
#   sudo bench/live.sh [CAPTURE]      (default bench/data/medium.pcap, made if missing)
#
# Two network namespaces joined by a veth pair (made here, deleted on exit): tcpreplay
# sends CAPTURE into one end at full speed (--topspeed), `chattcp live --promisc` captures
# on the other. For each mode the table gives: the packets tcpreplay sent and its rate,
# the packets chattcp was handed, the kernel's drops (buffer full: chattcp fell behind),
# chattcp's own drops, the CPU chattcp used (user+sys over its wall time, 100 % = one
# core), and its peak RSS. Then the chat mode at fixed rates (SWEEP), to find where the
# kernel starts to drop. Then a soak run: the capture replayed in a loop at a
# sustainable rate for SOAK seconds, RSS sampled every second (first, middle, last, max),
# to show memory stays flat: the RSS at the end at most 1.2 times the RSS a third of the
# way in, a minute at least (the per-second samples go to bench/data/live-soak-rss.txt).
#
# Environment: CHATTCP (default build/chattcp), SOAK (seconds, default 60; the issue's
# 10 minutes is SOAK=600), SOAK_MBPS (the soak's rate, default 100), MODES (default all:
# chat, json, write, nodiag, one: `-c 0`, every packet analysed, one connection shown;
# agent: `chattcp agent` capturing instead, and `live --remote` reading it over loopback
# in the same namespace: the agent's drops, the client's CPU and RSS, the agent's RSS;
# agent-raw: the agent streaming pcapng to curl > /dev/null, what it sends by itself),
# SWEEP (rates in Mbit/s for the chat mode, default "50 100 200 400"), RUNS (default 1), SHARED (the shared/ dir with
# bench/make-bench-pcap.sh). Needs root, tcpreplay, iproute2. Output: stdout and
# bench/data/live-last-run.md.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
CHATTCP=${CHATTCP:-build/chattcp}
CAP=${1:-bench/data/medium.pcap}
SOAK=${SOAK:-60}
SOAK_MBPS=${SOAK_MBPS:-100}
MODES=${MODES:-chat json write nodiag one}
SWEEP=${SWEEP-50 100 200 400}
RUNS=${RUNS:-1}
NS_TX=lvb-tx NS_RX=lvb-rx DEV_TX=lvbt0 DEV_RX=lvbr0
OUT=bench/data/live-last-run.md

die() { echo "bench/live.sh: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, capturing)"
command -v tcpreplay > /dev/null || die "needs tcpreplay (apt-get install tcpreplay; deps/debian.txt tag data)"
[ -x "$CHATTCP" ] || die "$CHATTCP is not built (make)"
if [ ! -s "$CAP" ]; then
    gen=""
    for d in ${SHARED:+"$SHARED"} "$REPO/../shared" "$REPO/shared" /work/shared; do
        [ -f "$d/bench/make-bench-pcap.sh" ] && { gen=$d/bench/make-bench-pcap.sh; break; }
    done
    [ -n "$gen" ] || die "$CAP is missing and shared/bench/make-bench-pcap.sh was not found (set SHARED)"
    mkdir -p bench/data
    echo "making bench/data/medium.pcap with $gen (about a minute)" >&2
    bash "$gen" medium bench/data >&2
fi
TMP=$(mktemp -d /tmp/chattcp-live-bench.XXXXXX)
cp "$CHATTCP" "$TMP/chattcp"   # a make running meanwhile cannot change what is timed

cleanup() {
    set +e
    [ -n "${LIVE_PID:-}" ] && kill -INT "$LIVE_PID" 2> /dev/null
    [ -n "${AGENT_PID:-}" ] && kill -TERM "$AGENT_PID" 2> /dev/null
    ip netns del "$NS_TX" 2> /dev/null
    ip netns del "$NS_RX" 2> /dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
ip netns del "$NS_TX" 2> /dev/null || true
ip netns del "$NS_RX" 2> /dev/null || true
ip netns add "$NS_TX"
ip netns add "$NS_RX"
ip link add "$DEV_TX" type veth peer name "$DEV_RX"
ip link set "$DEV_TX" netns "$NS_TX"
ip link set "$DEV_RX" netns "$NS_RX"
for ns_dev in "$NS_TX $DEV_TX" "$NS_RX $DEV_RX"; do
    set -- $ns_dev
    # frames as captured (1514 bytes at most, the capture was made with offloads off);
    # a little room for VLAN tags
    ip -n "$1" link set "$2" mtu 1600 up
done

# start_live ARGS...: chattcp live in the receiving namespace, under /usr/bin/time
start_live() {
    ip netns exec "$NS_RX" /usr/bin/time -f '%e %U %S %M' -o "$TMP/time" \
        "$TMP/chattcp" live -i "$DEV_RX" --promisc "$@" > /dev/null 2> "$TMP/err" &
    LIVE_PID=$!
    sleep 1.5   # opened and capturing (the open takes a few ms; this is generous)
}

# start_agent / stop_agent: the capture agent in the receiving namespace, for the agent mode
start_agent() {
    openssl rand -hex 32 > "$TMP/token"
    chmod 600 "$TMP/token"
    ip netns exec "$NS_RX" ip link set lo up
    ip netns exec "$NS_RX" /usr/bin/time -f '%e %U %S %M' -o "$TMP/agent.time" \
        "$TMP/chattcp" agent --listen 127.0.0.1:7380 --token-file "$TMP/token" 2> "$TMP/agent.err" &
    AGENT_PID=$!
    sleep 0.5
}
stop_agent() {
    local child
    child=$(pgrep -P "$AGENT_PID" || true)
    kill -TERM "${child:-$AGENT_PID}" 2> /dev/null || true
    wait "$AGENT_PID" 2> /dev/null || true
    AGENT_PID=""
    local w u s m
    read -r w u s m < "$TMP/agent.time" || true
    AGENT_RSS=$((${m:-0} / 1024)) AGENT_CPU=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
}
start_raw() {
    ip netns exec "$NS_RX" sh -c "curl -sN -H \"Authorization: Bearer \$(cat $TMP/token)\" \
        'http://127.0.0.1:7380/api/capture?format=pcapng&i=$DEV_RX' > /dev/null" &
    LIVE_PID=$!
    sleep 1.5
}
start_remote() {
    ip netns exec "$NS_RX" /usr/bin/time -f '%e %U %S %M' -o "$TMP/time" \
        "$TMP/chattcp" live --remote http://127.0.0.1:7380 --token-file "$TMP/token" -i "$DEV_RX" "$@" \
        > /dev/null 2> "$TMP/err" &
    LIVE_PID=$!
    sleep 1.5
}

# stop_live: SIGINT to chattcp (the child of time), wait for the summary
stop_live() {
    local child
    child=$(pgrep -P "$LIVE_PID" || true)
    sleep 1
    # (curl, in the agent-raw mode, ignores SIGINT as a background job: TERM for it)
    kill "-${STOP_SIG:-INT}" "${child:-$LIVE_PID}" 2> /dev/null || true
    wait "$LIVE_PID" || true
    LIVE_PID=""
}

# summary_field WORDS: the number before WORDS in chattcp's summary line
summary_num() { grep -oE "[0-9]+ $1" "$TMP/err" | tail -1 | awk '{ print $1 }'; }
summary_after() { grep -oE "$1 [0-9]+" "$TMP/err" | tail -1 | awk '{ print $NF }'; }

rows=()
RATE=--topspeed
run_mode() {   # run_mode NAME ARGS...: one replay at $RATE
    local name=$1; shift
    case $name in
    agent) start_agent; start_remote "$@" ;;
    agent-raw) start_agent; start_raw; STOP_SIG=TERM ;;
    *) start_live "$@" ;;
    esac
    # shellcheck disable=SC2086
    ip netns exec "$NS_TX" tcpreplay -i "$DEV_TX" $RATE "$CAP" > "$TMP/replay" 2>&1 || true
    stop_live
    STOP_SIG=INT
    local extra=""
    if [ "$name" = agent ] || [ "$name" = agent-raw ]; then
        stop_agent
        extra=" (the agent: peak RSS ${AGENT_RSS} MB, CPU ${AGENT_CPU} s)"
        if [ "$name" = agent-raw ]; then
            # what the agent sent and what its kernel dropped, from its log line
            grep -oE '[0-9]+ packets, kernel drops [0-9]+' "$TMP/agent.err" | tail -1 |
                awk '{ print "x: " $1 " packets, kernel drops " $5 ", chattcp drops 0" }' > "$TMP/err"
            : > "$TMP/time"
        fi
    fi
    local sent rate secs pk kd cd wall usr sys rss cpu pps
    sent=$(awk '/Actual:/ { print $2; exit }' "$TMP/replay")
    secs=$(awk '/Actual:/ { for (i = 1; i < NF; i++) if ($i == "in") print $(i + 1); exit }' "$TMP/replay")
    rate=$(awk '/Rated:/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^pps/) print $i; exit }' "$TMP/replay")
    pk=$(summary_num "packets,")
    kd=$(summary_after "kernel drops")
    cd=$(summary_after "chattcp drops")
    read -r wall usr sys rss < "$TMP/time" || true
    # CPU over the replay itself (the capture idles for 2.5 s around it, which costs nothing)
    cpu=$(awk -v u="$usr" -v s="$sys" -v w="$secs" 'BEGIN { if (w > 0) printf "%.0f", 100 * (u + s) / w }')
    pps=$(awk -v n="${pk:-0}" -v w="$secs" 'BEGIN { if (w > 0) printf "%.0f", n / w }')
    rows+=("| $name | \`live $*\` | ${sent:-?} | ${secs:-?} | ${rate:-?} | ${pk:-?} | ${pps:-?} | ${kd:-?} | ${cd:-?} | $(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') | ${cpu:-?} | $((${rss:-0} / 1024))$extra |")
    echo "  $name: sent ${sent:-?} at ${rate:-?} pps; chattcp $(tail -1 "$TMP/err")" >&2
}

echo "replaying $CAP into a veth pair, chattcp live on the other end" >&2
for r in $(seq "$RUNS"); do
    for m in $MODES; do
        case $m in
        chat) run_mode chat --color never ;;
        json) run_mode json --json ;;
        write) run_mode write --write "$TMP/w.pcapng"; rm -f "$TMP/w.pcapng" ;;
        nodiag) run_mode nodiag --no-diag --payload raw ;;
        one) run_mode one -c 0 ;;
        agent) run_mode agent --color never ;;
        agent-raw) run_mode agent-raw ;;
        *) die "unknown mode $m" ;;
        esac
    done
done
# The chat of every packet at fixed rates: where the kernel starts to drop.
for mbps in $SWEEP; do
    RATE="--mbps $mbps"
    run_mode "chat at $mbps Mbit/s" --color never
done
RATE=--topspeed

# Soak: a loop of the capture at SOAK_MBPS for SOAK seconds, RSS each second.
soak_row=""
if [ "$SOAK" -gt 0 ]; then
    start_live --color never
    child=$(pgrep -P "$LIVE_PID" | head -1 || true)
    ip netns exec "$NS_TX" timeout "$SOAK" tcpreplay -i "$DEV_TX" --mbps "$SOAK_MBPS" --loop 0 "$CAP" \
        > "$TMP/soak-replay" 2>&1 &
    rp=$!
    : > "$TMP/rss"
    for _ in $(seq "$SOAK"); do
        sleep 1
        awk '/VmRSS/ { print $2 }' "/proc/$child/status" >> "$TMP/rss" 2> /dev/null || true
    done
    wait "$rp" || true
    stop_live
    n=$(wc -l < "$TMP/rss")
    first=$(sed -n 2p "$TMP/rss") mid=$(sed -n "$((n / 2))p" "$TMP/rss") last=$(tail -1 "$TMP/rss")
    # what flat is measured from: a third of the soak in, a minute at least (200 s of
    # 600). A looped capture comes back on the same 4-tuples and sequence numbers: its
    # second pass retransmits every connection's bytes, and the diagnosis makes each
    # side that retransmits its ring of sends (bounded, 2 KB): RSS climbs until the
    # capture has been seen twice (medium.pcap at 30 Mbit/s: a pass is 62 s), then holds;
    # a pass longer than the 120 s an ended connection lingers (185 s at 10 Mbit/s) makes
    # new connections instead, and RSS holds after the first
    ref=$((n / 3 > 60 ? n / 3 : 60)); ref=$((ref > n ? n : ref))
    min1=$(sed -n "${ref}p" "$TMP/rss")
    max=$(sort -n "$TMP/rss" | tail -1)
    # flat: the end holds at most 1.2 times what it held at the reference
    flat=$(awk -v l="${last:-0}" -v m="${min1:-0}" -v t="$ref" 'BEGIN { r = m > 0 ? l / m : 0; printf("%s (end / at %d s: %.2f)", (m > 0 && l <= 1.2 * m) ? "yes" : "no", t, r) }')
    pk=$(summary_num "packets,") kd=$(summary_after "kernel drops")
    conns=$(grep -oE '[0-9]+ connections( \([0-9]+ ended earlier, [0-9]+ held\))?' "$TMP/err" | tail -1)
    soak_row="| ${SOAK} s at ${SOAK_MBPS} Mbit/s, looped | ${pk:-?} | ${kd:-?} | ${conns:-?} | $((first / 1024)) | $((min1 / 1024)) | $((mid / 1024)) | $((last / 1024)) | $((max / 1024)) | $flat |"
    echo "  soak: $(tail -1 "$TMP/err"); RSS MB first/at ${ref} s/mid/last/max $((first / 1024))/$((min1 / 1024))/$((mid / 1024))/$((last / 1024))/$((max / 1024)); flat $flat" >&2
    cp "$TMP/rss" bench/data/live-soak-rss.txt 2> /dev/null || true
fi

{
    echo "## chattcp live: $(basename "$CAP") replayed with tcpreplay --topspeed into a veth pair"
    echo
    echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), load $(cut -d' ' -f1-3 /proc/loadavg), chattcp $(git rev-parse --short HEAD 2> /dev/null || echo '?'), $(tcpreplay -V 2>&1 | head -1)"
    echo
    echo "| mode | command | sent | replay s | sent pps | handed to chattcp | handled pps | kernel drops | chattcp drops | CPU s | CPU % of replay | peak RSS MB |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${rows[@]}"
    if [ -n "$soak_row" ]; then
        echo
        echo "| soak | packets | kernel drops | connections | RSS MB after 2 s | at a third (>= 60 s) | middle | end | max | flat (end <= 1.2 x at a third) |"
        echo "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"
        echo "$soak_row"
    fi
} | tee "$OUT"
