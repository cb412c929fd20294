#!/usr/bin/env bash
# make.sh — record cases/lost-third-handshake/capture.pcap: the third packet of the handshake never
# reaches the server.
#
# An nftables rule in the server namespace drops every pure ACK from the client (ACK flag only,
# no SYN/FIN/RST, no payload: IP length <= 52). The client's kernel completes the handshake
# (it got the SYN+ACK), so the client believes the connection is up; the server never sees the
# ACK, stays in SYN_RECV and retransmits its SYN+ACK (after 1 s, 2 s, 4 s); the client answers
# each copy with another ACK, which is dropped too. After 8 s the client (which never sends data)
# closes: its FIN carries an ACK flag and passes the filter. The capture is taken on the client side,
# so the dropped ACKs are visible in it. Once the client has closed, the rule is removed (the
# "loss" is over), so the end of the conversation is whatever Linux does with that FIN.
# Checks at the end: >= 2 retransmitted SYN+ACKs, each answered by the client, then the FIN.
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, nftables, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_need nft:nftables
cca_up l3

cat > "$W/server.py" <<'PY'
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.2", 9100)); s.listen(8)
c, _ = s.accept()          # returns only once the kernel considers the connection established
while c.recv(4096):
    pass
time.sleep(1)              # a slow-ish application: closes 1 s after reading EOF
c.close()
time.sleep(1)
PY
cat > "$W/client.py" <<'PY'
import socket, time
c = socket.create_connection(("10.77.0.2", 9100))   # returns after SYN, SYN+ACK, ACK
time.sleep(8)              # the client thinks it is connected; it has nothing to say
c.close()                  # FIN
time.sleep(3)
PY

srv nft -f - <<'NFT'
table ip cca_l3 {
    chain input {
        type filter hook input priority 0; policy accept;
        ip saddr 10.77.0.1 tcp dport 9100 tcp flags & (syn | fin | rst | ack) == ack ip length <= 52 counter drop
    }
}
NFT

cca_bg "$NS" "$CCA_PY" "$W/server.py"
cca_wait_port "$NS" 9100
cca_capture_start "tcp port 9100"
cca_bg "$NC" "$CCA_PY" "$W/client.py"
cpid=${CCA_PIDS[-1]}
sleep 8.5
srv nft list table ip cca_l3 | grep counter
srv nft delete table ip cca_l3
wait "$cpid" || true
cca_capture_stop "$HERE/capture.pcap"
tshark -r "$HERE/capture.pcap" 2>/dev/null

f=$(cca_fields "$HERE/capture.pcap" ip.src tcp.flags.str | tr -d '·' | sed 's/10.77.0.1/C/;s/10.77.0.2/S/' | tr '\n' ' ')
echo "$f"
synacks=$(echo "$f" | grep -o 'S|AS' | wc -l)
[ "$synacks" -ge 3 ] || cca_fail "expected the SYN+ACK to be sent >= 3 times (got $synacks)"
# every SYN+ACK answered by a client ACK; the client's FIN comes after the last one
echo "$f" | grep -Eq '^C\|S S\|AS C\|A (S\|AS C\|A ){2,}C\|AF' || cca_fail "story not in the capture"
cca_expect_count "$HERE/capture.pcap" 13
