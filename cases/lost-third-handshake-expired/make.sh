#!/usr/bin/env bash
# make.sh — record cases/lost-third-handshake-expired/capture.pcap: the third packet of the handshake
# never reaches the server, and the server gives up on the half-open connection before the client
# closes, so the client's FIN meets a RST (the variant of cases/lost-third-handshake).
#
# An nftables rule in the server namespace drops every pure ACK from the client (ACK flag only,
# no SYN/FIN/RST, no payload: IP length <= 52). The client's kernel completes the handshake
# (it got the SYN+ACK), so the client believes the connection is up; the server never sees the
# ACK, stays in SYN_RECV and retransmits its SYN+ACK (after 1 s, 2 s, 4 s); the client answers
# each copy with another ACK, which is dropped too. After 8 s the client (which never sends data)
# closes: its FIN carries an ACK flag and passes the filter. The capture is taken on the client side,
# so the dropped ACKs are visible in it. Once the client has closed, the rule is removed (the
# "loss" is over), so the end of the conversation is whatever Linux does with that FIN.
# Unlike cases/lost-third-handshake, the server's net.ipv4.tcp_synack_retries is 1: it sends its
# SYN+ACK twice (at 0 s and 1 s), then after another 2 s drops the half-open connection. The
# client's FIN at 8 s then finds no connection on the server, which answers with RST (RFC 9293
# section 3.10.7.1: a segment for no connection, with ACK, is answered <SEQ=SEG.ACK><CTL=RST>).
# Checks at the end: the SYN+ACK twice, each answered by the client, then the FIN and a RST.
#
# Needs root and the Debian packages: iproute2, ethtool, tcpdump, tshark, nftables, python3.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib-netns.sh"
cca_need nft:nftables
cca_up l3x
srv sysctl -qw net.ipv4.tcp_synack_retries=1

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
table ip cca_l3x {
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
srv nft list table ip cca_l3x | grep counter
srv nft delete table ip cca_l3x
wait "$cpid" || true
cca_capture_stop "$HERE/capture.pcap"
tshark -r "$HERE/capture.pcap" 2>/dev/null

f=$(cca_fields "$HERE/capture.pcap" ip.src tcp.flags.str | tr -d '·' | sed 's/10.77.0.1/C/;s/10.77.0.2/S/' | tr '\n' ' ')
echo "$f"
echo "$f" | grep -Eq '^C\|S S\|AS C\|A S\|AS C\|A C\|AF S\|R ?$' || cca_fail "story not in the capture (SYN, SYN+ACK, ACK, SYN+ACK, ACK, FIN, RST)"
cca_expect_count "$HERE/capture.pcap" 7
