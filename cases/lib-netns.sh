# lib-netns.sh — shared helpers for cases/*/make.sh (sourced, not run).
#
# Every case is recorded between two network namespaces made here and deleted on exit:
#
#   [cca-TAG-c] c0 10.77.0.1  --veth--  s0 10.77.0.2 [cca-TAG-s]
#      client side                         server side
#
# Nothing is routed out of the namespaces. Offloads (TSO/GSO/GRO/checksum) are off on both
# veth ends so every segment is at most MTU-sized, as on a real wire; IPv6 is off so no router
# solicitations or neighbour discovery packets appear. tcpdump runs in the client namespace
# on c0 (the client host's view), Ethernet link type, default snaplen.
#
# Needs (Debian): iproute2, ethtool, tcpdump, tshark, python3.

set -euo pipefail

CCA_PY=/usr/bin/python3
CLI_IP=10.77.0.1
SRV_IP=10.77.0.2
CCA_PIDS=()
CCA_TCPDUMP_PID=

[ "$(id -u)" = 0 ] || { echo "make.sh: needs root (network namespaces)" >&2; exit 2; }

cca_need() {   # cca_need cmd:package ...
    local miss=() pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${pair%%:*}" ] || miss+=("${pair#*:}")
    done
    if [ ${#miss[@]} -gt 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${miss[@]}" >/dev/null
    fi
}

cca_cleanup() {
    set +e
    local ns pid
    [ -n "$CCA_TCPDUMP_PID" ] && kill -INT "$CCA_TCPDUMP_PID" 2>/dev/null
    for pid in "${CCA_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for ns in "$NC" "$NS"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    done
    sleep 0.2
    for ns in "$NC" "$NS"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    [ -n "${W:-}" ] && rm -rf "$W"
}

# cca_up TAG : make the two namespaces and the veth pair; sets NC, NS, W (work dir)
cca_up() {
    NC=cca-$1-c NS=cca-$1-s
    cca_need ip:iproute2 ethtool:ethtool tcpdump:tcpdump tshark:tshark
    ip netns del "$NC" 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    W=$(mktemp -d "/tmp/cca-$1.XXXXXX"); chmod 755 "$W"
    trap cca_cleanup EXIT INT TERM
    ip netns add "$NC"; ip netns add "$NS"
    local ns
    for ns in "$NC" "$NS"; do
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
        ip -n "$ns" link set lo up
    done
    ip -n "$NC" link add c0 address 02:77:00:00:00:01 type veth peer name s0 address 02:77:00:00:00:02 netns "$NS"
    ip -n "$NC" addr add "$CLI_IP/24" dev c0
    ip -n "$NS" addr add "$SRV_IP/24" dev s0
    ip netns exec "$NC" ethtool -K c0 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
    ip netns exec "$NS" ethtool -K s0 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
    ip -n "$NC" link set c0 up
    ip -n "$NS" link set s0 up
    # static neighbours: no ARP exchange in the middle of a story
    ip -n "$NC" neigh replace "$SRV_IP" lladdr 02:77:00:00:00:02 dev c0 nud permanent
    ip -n "$NS" neigh replace "$CLI_IP" lladdr 02:77:00:00:00:01 dev s0 nud permanent
}

cli() { ip netns exec "$NC" "$@"; }
srv() { ip netns exec "$NS" "$@"; }

# cca_bg NS cmd... : start a background process in a namespace, remember its pid
cca_bg() { local ns=$1; shift; ip netns exec "$ns" "$@" & CCA_PIDS+=($!); }

# cca_wait_port NS PORT [tcp|udp] : wait until something listens on PORT
cca_wait_port() {
    local i opt=-ltn
    [ "${3:-tcp}" = udp ] && opt=-lun
    for i in $(seq 100); do
        ip netns exec "$1" ss $opt "sport = :$2" | grep -q ":$2" && return 0
        sleep 0.05
    done
    echo "make.sh: nothing listens on port $2" >&2; return 1
}

# cca_capture_start FILTER : tcpdump on c0 in the client namespace into $W/capture.pcap
cca_capture_start() {
    ip netns exec "$NC" tcpdump -i c0 -U --immediate-mode -Z root -w "$W/capture.pcap" "$1" 2>"$W/tcpdump.err" &
    CCA_TCPDUMP_PID=$!
    local i
    for i in $(seq 100); do
        grep -q "listening on" "$W/tcpdump.err" 2>/dev/null && { sleep 0.2; return 0; }
        sleep 0.05
    done
    echo "make.sh: tcpdump did not start:" >&2; cat "$W/tcpdump.err" >&2; return 1
}

# cca_capture_stop DEST : stop tcpdump, copy the capture to DEST
cca_capture_stop() {
    sleep 0.3
    kill -INT "$CCA_TCPDUMP_PID"; wait "$CCA_TCPDUMP_PID" || true
    CCA_TCPDUMP_PID=
    cp "$W/capture.pcap" "$1"
    chmod 644 "$1"
}

# cca_fail MSG : report that the capture does not show the story
cca_fail() { echo "make.sh: CHECK FAILED: $*" >&2; exit 1; }

# cca_fields PCAP FIELDS... : tshark one line per frame, fields separated by '|'
cca_fields() {
    local f=$1; shift
    local args=() x
    for x in "$@"; do args+=(-e "$x"); done
    tshark -r "$f" -o tcp.relative_sequence_numbers:TRUE 2>/dev/null -T fields -E separator='|' "${args[@]}"
}

# cca_nginx ROOT [EXTRA_SERVER_CONF] : start nginx (Debian nginx-light) in the server namespace on
# 10.77.0.2:80, serving ROOT; logs and temp files in $W
cca_nginx() {
    cca_need nginx:nginx-light
    local nx
    nx=$(command -v nginx || echo /usr/sbin/nginx)
    mkdir -p "$W/nginx"
    cat > "$W/nginx/nginx.conf" <<NGX
daemon off;
worker_processes 1;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log info;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $W/nginx/access.log;
    client_body_temp_path $W/nginx/body;
    proxy_temp_path $W/nginx/proxy;
    fastcgi_temp_path $W/nginx/fastcgi;
    uwsgi_temp_path $W/nginx/uwsgi;
    scgi_temp_path $W/nginx/scgi;
    sendfile off;
    keepalive_timeout 65;
    server {
        listen 10.77.0.2:80;
        server_name cases.test;
        root $1;
        ${2:-}
    }
}
NGX
    cca_bg "$NS" "$nx" -e "$W/nginx/error.log" -p "$W/nginx" -c "$W/nginx/nginx.conf"
    cca_wait_port "$NS" 80
}

# cca_expect_count PCAP N : the lesson numbers the frames; fail if the capture has another count
cca_expect_count() {
    local n
    n=$(cca_fields "$1" frame.number | wc -l)
    [ "$n" = "$2" ] || cca_fail "expected $2 packets as described in lesson.md, got $n (timing differed); run again"
}
