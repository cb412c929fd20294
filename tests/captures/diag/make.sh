#!/usr/bin/env bash
# make.sh: records the diagnosis set: real Linux TCP stacks in network namespaces, each
# capture with one known fault (or none), and writes OUTDIR/expected.tsv (capture, where
# it was taken, the root cause chattcp must name, the parameters).
#
#   tests/captures/diag/make.sh [SET] [OUTDIR]    SET: A (default), B or C
#
# A is the set the rules were checked on while written (tests/captures/diag/); B, with
# other delays, loss rates, sizes and timers, is the committed held-out set
# (tests/captures/diag/heldout/: recorded once, never used to tune a rule); C, with others
# again, is recorded afresh by tests/suite/diag-faults when DIAG_FAULTS_HELDOUT=1.
#
# Topology (three namespaces made here, deleted on exit; nothing is routed out):
#
#   [dg-c] c0 10.79.0.1 --veth-- r0 [dg-r: fwd] r1 --veth-- s0 10.79.0.2 [dg-s]
#
# fwd.c (compiled here) bridges r0 and r1 over AF_PACKET sockets after a one-way delay and
# makes the fault of the path (loss, tail loss, blackholed SYN, MTU black hole, reordering,
# a bottleneck with a deep queue, lost ACKs, an injected RST); app.py is the server and the
# client; the other faults come from what the programs do or a sysctl. Offloads are off so
# segments are MTU-sized; static neighbours (no ARP); IPv6 off. Capture on c0 (the client
# host) or s0 (the server host) as the table says, snaplen cut on bulk transfers (small files).
# Sets B and C use other delays, loss rates, sizes and timers: a rule that only fits set A
# fails them.
# Needs root and: iproute2, ethtool, tcpdump, nftables, gcc, python3.
set -euo pipefail
SET=${1:-A}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${2:-$HERE}
[ "$(id -u)" = 0 ] || { echo "make.sh: needs root (network namespaces)" >&2; exit 2; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
P=dg$SET
NC=$P-c NR=$P-r NS=$P-s CLI=10.79.0.1 SRV=10.79.0.2
W=$(mktemp -d /tmp/diag-make.XXXXXX); chmod 755 "$W"
PIDS=()
cleanup() {
	set +e
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
	for ns in $NC $NR $NS; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$W"
}
trap cleanup EXIT INT TERM
gcc -O2 -Wall -o "$W/fwd" "$HERE/fwd.c"
cp "$HERE/app.py" "$W/app.py"

for ns in $NC $NR $NS; do ip netns del "$ns" 2>/dev/null || true; ip netns add "$ns"; done
for ns in $NC $NR $NS; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$ns" link set lo up
done
ip -n $NC link add c0 address 02:79:00:00:00:01 type veth peer name r0 netns $NR
ip -n $NS link add s0 address 02:79:00:00:00:02 type veth peer name r1 netns $NR
ip -n $NC addr add $CLI/24 dev c0
ip -n $NS addr add $SRV/24 dev s0
for x in "$NC c0" "$NR r0" "$NR r1" "$NS s0"; do
	set -- $x
	ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
	ip -n "$1" link set "$2" up
done
ip -n $NC neigh replace $SRV lladdr 02:79:00:00:00:02 dev c0 nud permanent
ip -n $NS neigh replace $CLI lladdr 02:79:00:00:00:01 dev s0 nud permanent
inns() { local n=$1; shift; ip netns exec "$n" "$@"; }

TSV=$OUT/expected.tsv
# ONLY="name ..." remakes only those captures (their rows of the table are replaced)
[ -z "${ONLY:-}" ] || [ ! -f "$TSV" ] && printf 'capture\tcaptured_at\texpect\tparameters\n' > "$TSV"

NRUN=0   # each scenario its own port: a late packet of one never lands in the next capture
# run NAME SIDE SNAPLEN EXPECT "FWD OPTS" "SERVER MODE" "CLIENT ARGS" ["SYSCTL ..." (server side)]
run() {
	local name=$1 side=$2 snap=$3 expect=$4 fwdo=$5 smode=$6 cargs=$7 sysc=${8:-}
	local port=$((7000 + NRUN)) k
	NRUN=$((NRUN + 1))
	if [ -n "${ONLY:-}" ]; then
		case " $ONLY " in *" $name "*) ;; *) return 0 ;; esac
		grep -v "^$name.pcap	" "$TSV" > "$W/tsv" || true; cat "$W/tsv" > "$TSV"
	fi
	echo "== $name: fwd $fwdo; server $smode; client $cargs; $sysc"
	for k in $sysc; do inns $NS sysctl -qw "$k"; done
	ip netns exec $NR "$W/fwd" r0 r1 $fwdo & local fp=$!; PIDS+=($fp)
	if [ "$smode" != none ]; then
		ip netns exec $NS python3 "$W/app.py" server $port $smode & local sp=$!; PIDS+=($sp)
		for k in $(seq 100); do inns $NS ss -ltn "sport = :$port" | grep -q ":$port" && break; sleep 0.05; done
	fi
	local ns=$NC dev=c0; [ "$side" = server ] && ns=$NS dev=s0
	ip netns exec $ns tcpdump -i $dev -s "$snap" -U --immediate-mode -Z root -w "$W/$name.pcap" "tcp port $port" 2>"$W/td.err" &
	local tp=$!
	for k in $(seq 100); do grep -q "listening on" "$W/td.err" && break; sleep 0.05; done
	sleep 0.2
	if [ "$name" = half-open-restart ]; then half_open $port "$cargs"; else
		inns $NC timeout 60 python3 "$W/app.py" client $SRV $port $cargs || true; fi
	sleep "${TAIL_WAIT:-0.5}"
	kill -INT $tp; wait $tp 2>/dev/null || true
	[ "$smode" != none ] && { kill $sp 2>/dev/null; wait $sp 2>/dev/null || true; }
	kill $fp; wait $fp 2>/dev/null || true
	for k in $sysc; do inns $NS sysctl -qw "${k%%=*}=$(cat "$W/default.${k%%=*}")"; done
	cp "$W/$name.pcap" "$OUT/$name.pcap"; chmod 644 "$OUT/$name.pcap"
	printf '%s\t%s\t%s\t%s\n' "$name.pcap" "$side" "$expect" "fwd: ${fwdo:-none}; server: $smode; client: $cargs; ${sysc:-defaults}" >> "$TSV"
}
# The server "restarts" while the client is idle: an nftables rule drops all it sends (a dead
# host), its connection is killed in its kernel (ss -K; the RST is dropped), the rule goes away.
half_open() {
	local port=$1 idle=${2##* }
	ip netns exec $NC timeout 60 python3 "$W/app.py" client $SRV $port $2 & local cp=$!
	sleep 1
	inns $NS nft -f - <<NFT
table ip dgdead {
	chain out {
		type filter hook output priority 0; policy accept;
		tcp sport $port drop
	}
}
NFT
	inns $NS ss -K "sport = :$port" >/dev/null 2>&1 || true
	sleep 0.3
	inns $NS nft delete table ip dgdead
	wait $cp || true
}
for k in net.ipv4.tcp_synack_retries net.ipv4.tcp_mtu_probing net.ipv4.tcp_base_mss net.ipv4.tcp_early_retrans; do
	inns $NS sysctl -n "$k" > "$W/default.$k"
done

case $SET in
A) D=5000 LOSS=20 SEED=7 DL=400000 RTTD=20000 BIG=300000 ;;
B) D=11000 LOSS=35 SEED=99 DL=600000 RTTD=35000 BIG=500000 ;;
C) D=8000 LOSS=25 SEED=31 DL=500000 RTTD=28000 BIG=400000 ;;
*) echo "make.sh: SET is A, B or C" >&2; exit 2 ;;
esac
# pick A B C: this set's value of a scenario's figure
pick() { case $SET in A) echo "$1" ;; B) echo "$2" ;; C) echo "$3" ;; esac; }
# every scenario below takes its figures from the set's parameters
run clean-gets        client 256 none "-d $D" serve "gets 3 $((DL / 20))"
run clean-chat        server 256 none "-d $((D / 2))" serve-nodelay "chat $(pick 30 45 38)"
run clean-upload      client 96  none "-d $D" serve "upload $BIG"
run clean-short       client 256 none "-d $((D * 2))" serve "short $(pick 6 9 7) 5000"
run random-loss       client 96  loss_fast_retransmit+path_loss "-d $D -l $LOSS -s $SEED" serve "download $DL 3"
TAIL=$(pick 7000 23000 15000)
run tail-loss         server 256 tail_loss "-d $RTTD -t $TAIL" serve "gets 1 $TAIL"
run refused           client 256 refused "-d $D" none "refused"
run syn-blackhole     client 256 syn_unanswered "-d $D -S" serve "blackhole $(pick 4 8 6)"
run listen-overflow   client 256 listen_queue_overflow "-d 1000" "backlog $(pick '2 150' '4 100' '3 120')" "burst $(pick 24 40 32)"
run zero-window       client 96  zero_window "-d $D" serve "stuck-reader $BIG 4096 $(pick 1500 2500 2000)"
run rwnd-limited      server 96  receive_window_limited "-d $RTTD" serve "small-window $BIG $(pick 8192 16384 12288)"
run nagle-delack      client 256 delayed_ack_stall "-d $((D / 5))" serve "nagle $(pick 12 20 16)"
run slow-server       client 256 slow_server "-d $D" serve "slow-server 3 $(pick 700 1300 1000)"
run slow-client       server 256 slow_client "-d $D" serve "slow-client 3 $(pick 150 250 200)"
run abort-rst         client 96  abort_rst "-d $D" serve "abort $BIG $((BIG / 6))"
run half-open-restart client 256 half_open_peer_lost "-d $D" serve "idle $(pick 3 5 4)"
run keepalive         client 256 keepalive "-d $D" serve "keepalive $(pick '1 1 4' '2 1 6' '1 2 5')"
run pmtu-blackhole    client 256 pmtu_blackhole "-d $D -m $(pick 1200 1100 1300)" serve "gets 1 $((DL / 8))" \
	"net.ipv4.tcp_mtu_probing=1 net.ipv4.tcp_base_mss=$(pick 1024 900 1100)"
run reordering        client 96  reordering "-d $RTTD -r $(pick 9:8000 13:12000 11:10000)" serve "download $DL 1"
run bufferbloat       client 96  bufferbloat "-d $D -b $(pick 1500:300000 2500:400000 2000:350000)" serve "upload $BIG"
run lost-third-ack    client 256 third_handshake_lost "-d $D -a $(pick 2 3 2)" serve "late-request $(pick 3500 7500 5500)"
run injected-rst      client 96  injected_rst "-d $D -x $(pick 12 30 20)" serve "download $DL 1"
ls -l "$OUT"/*.pcap
