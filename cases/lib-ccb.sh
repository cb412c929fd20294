# lib-ccb.sh — shared setup for the classic cases whose namespaces are named ccb-CASE-*
# (sourced by cases/*/make.sh, not run). The script sets CASE (and HERE, its own folder) before
# sourcing; this file then provides:
#
#   P=ccb-$CASE        namespace prefix: namespace $P-c is the client, $P-s the server, ...
#   W                  a work directory, deleted on exit
#   PIDS               background processes to kill on exit
#   inns N cmd...      run cmd in namespace $P-N
#
# Namespaces have IPv6 off (no router solicitations) and offloads (TSO/GSO/GRO/checksum) off on every
# veth end, so every segment is at most MTU-sized as on a real wire. Nothing is routed out of them.
# On exit (trap) the background processes are killed and the namespaces deleted.
#
# Needs: root; Debian packages iproute2, ethtool, tcpdump, tshark (the script lists its own with ccb_need).

set -euo pipefail

P=ccb-$CASE
W=
PIDS=()
CCB_NS=()
CCB_CAPS=()
CCB_BG=

[ "$(id -u)" = 0 ] || { echo "$CASE: needs root (network namespaces)" >&2; exit 2; }

inns() { local n=$1; shift; ip netns exec "$P-$n" "$@"; }

# ccb_need cmd:package ... : install the Debian packages whose command is missing
ccb_need() {
    local need=() pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${pair%%:*}" ] || need+=("${pair#*:}")
    done
    [ ${#need[@]} = 0 ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; }
}

ccb_cleanup() {
    set +e
    local pid n
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    sleep 0.2
    for n in "${CCB_NS[@]}"; do ip netns del "$P-$n" 2>/dev/null; done
    [ -n "$W" ] && rm -rf "$W"
}

# ccb_netns N... : make the work dir W, set the cleanup trap, (re)create namespaces $P-N with lo up
# and IPv6 off
ccb_netns() {
    local n
    W=$(mktemp -d "/tmp/ccb-$CASE.XXXXXX")
    CCB_NS=("$@")
    trap ccb_cleanup EXIT INT TERM
    for n in "$@"; do
        ip netns del "$P-$n" 2>/dev/null || true
        ip netns add "$P-$n"
        inns "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
        ip -n "$P-$n" link set lo up
    done
}

# ccb_veth IF1 N1 IF2 N2 : a veth pair, IF1 in namespace $P-N1, IF2 in $P-N2
ccb_veth() { ip link add "$1" netns "$P-$2" type veth peer name "$3" netns "$P-$4"; }

# ccb_ifup "N IF" ... : offloads off and link up for interface IF in namespace $P-N
ccb_ifup() {
    local x n ifc
    for x in "$@"; do
        read -r n ifc <<< "$x"
        inns "$n" ethtool -K "$ifc" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
        ip -n "$P-$n" link set "$ifc" up
    done
}

# ccb_two_hosts : namespaces $P-c and $P-s joined by one veth pair, c0 $CLI/24 <-> s0 $SRV/24
ccb_two_hosts() {
    ccb_netns c s
    ccb_veth c0 c s0 s
    ip -n "$P-c" addr add "$CLI/24" dev c0
    ip -n "$P-s" addr add "$SRV/24" dev s0
    ccb_ifup "c c0" "s s0"
}

# ccb_routed RC RS : client, router and server: c0 $CLI/24 <-> r0 RC, r1 RS <-> s0 $SRV/24, the
# router forwarding, each host's default route through it (RC and RS: the router's
# addresses, e.g. 10.78.50.254 and 10.78.51.254). Extra link settings (an MTU, qdiscs) go after.
ccb_routed() {
    ccb_netns c r s
    ccb_veth c0 c r0 r
    ccb_veth s0 s r1 r
    ip -n "$P-c" addr add "$CLI/24" dev c0
    ip -n "$P-r" addr add "$1/24" dev r0
    ip -n "$P-r" addr add "$2/24" dev r1
    ip -n "$P-s" addr add "$SRV/24" dev s0
    ccb_ifup "c c0" "r r0" "r r1" "s s0"
    ip -n "$P-c" route add default via "$1"
    ip -n "$P-s" route add default via "$2"
    inns r sysctl -qw net.ipv4.ip_forward=1
}

# ccb_capture N IF FILE FILTER : tcpdump on IF in namespace $P-N into $W/FILE; waits (up to 5 s)
# until it listens. The capture the case keeps is the one written to $W/cap.pcap.
ccb_capture() {
    ip netns exec "$P-$1" tcpdump -i "$2" -U --immediate-mode -Z root -w "$W/$3" "$4" 2> "$W/$3.err" &
    CCB_CAPS+=("$!"); PIDS+=("$!")
    for _ in $(seq 50); do grep -qs 'listening on' "$W/$3.err" && break; sleep 0.1; done
}

# ccb_capture_stop SECONDS : wait SECONDS for the last packets, stop every capture, copy $W/cap.pcap
# to $HERE/capture.pcap
ccb_capture_stop() {
    sleep "$1"
    kill -INT "${CCB_CAPS[@]}"; wait "${CCB_CAPS[@]}" 2>/dev/null || true
    cp "$W/cap.pcap" "$HERE/capture.pcap"
}

# ccb_bg N LOG PATTERN cmd... : start cmd in namespace $P-N in the background, output to LOG; wait (up
# to 5 s) until LOG shows PATTERN. Its pid is in CCB_BG (and PIDS).
ccb_bg() {
    local n=$1 log=$2 pat=$3; shift 3
    : > "$log"
    ip netns exec "$P-$n" "$@" > "$log" 2>&1 &
    CCB_BG=$!; PIDS+=("$CCB_BG")
    for _ in $(seq 50); do grep -qs "$pat" "$log" && break; sleep 0.1; done
}

# ccb_done N : the story checks passed; lesson.md numbers the N frames of the shipped capture, so say
# so if this capture has another count (a re-run can differ in timing and count)
ccb_done() {
    local m
    m=$(tshark -r "$HERE/capture.pcap" 2>/dev/null | wc -l)
    [ "$m" = "$1" ] || echo "$CASE: NOTE: lesson.md describes $1 packets, this capture has $m: update the frame numbers in lesson.md" >&2
    echo "$CASE: OK"
}
