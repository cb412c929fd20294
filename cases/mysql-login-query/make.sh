#!/usr/bin/env bash
# cases/mysql-login-query/make.sh: makes cases/mysql-login-query/capture.pcap
#   A MySQL protocol conversation: the mariadb command-line client logs in to a MariaDB server
#   (user learner, mysql_native_password, no TLS) into the database shop, runs one SELECT over a
#   three-row table, and quits. The server runs in its own namespace with a data directory made
#   here (mariadb-install-db) and thrown away with the work directory.
#     [ccb-mysql-login-query-c] c0 10.78.66.1  --veth--  s0 10.78.66.2 [ccb-mysql-login-query-s]
#   Capture on c0 (the client's view).
# Needs: root; Debian packages iproute2, tcpdump, tshark, ethtool, mariadb-server, mariadb-client.
set -euo pipefail
CASE=mysql-login-query
HERE=$(cd "$(dirname "$0")" && pwd)
CLI=10.78.66.1 SRV=10.78.66.2 PORT=3306
# shellcheck source-path=SCRIPTDIR source=../lib-ccb.sh
. "$HERE/../lib-ccb.sh"
ccb_need ip:iproute2 tcpdump:tcpdump tshark:tshark ethtool:ethtool mariadbd:mariadb-server mariadb:mariadb-client

ccb_two_hosts
mkdir -p "$W/db" "$W/run"
chown -R mysql:mysql "$W/db" "$W/run"
chmod 755 "$W"
mariadb-install-db --user=mysql --datadir="$W/db" --auth-root-authentication-method=socket > "$W/install.log" 2>&1
cat > "$W/init.sql" <<SQL
CREATE DATABASE shop;
CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(32), price DECIMAL(6,2));
INSERT INTO shop.items VALUES (1, 'tea', 3.50), (2, 'coffee', 4.20), (3, 'cake', 5.00);
CREATE USER 'learner'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('lesson');
GRANT SELECT ON shop.* TO 'learner'@'%';
SQL
ccb_bg s "$W/mariadbd.log" "ready for connections" mariadbd --user=mysql --datadir="$W/db" \
	--socket="$W/run/mysqld.sock" --pid-file="$W/run/mysqld.pid" --bind-address=$SRV --port=$PORT \
	--skip-name-resolve --skip-ssl --init-file="$W/init.sql" --log-error="$W/mariadbd.log"
grep -q "ready for connections" "$W/mariadbd.log" || { cat "$W/mariadbd.log" >&2; echo "$CASE: mariadbd did not start" >&2; exit 1; }
ccb_capture c c0 cap.pcap "tcp port $PORT"
inns c mariadb --host=$SRV --port=$PORT --user=learner --password=lesson --skip-ssl shop \
	-e "SELECT id, name, price FROM items WHERE price < 5 ORDER BY price" | tee "$W/client.out"
ccb_capture_stop 0.3
grep -q "coffee" "$W/client.out" || { echo "$CASE: the query did not answer" >&2; exit 1; }
chmod 644 "$HERE/capture.pcap"
tshark -r "$HERE/capture.pcap" -T fields -e frame.number -e ip.src -e tcp.flags.str -e tcp.len -e mysql.command \
	-e mysql.query -e mysql.user 2>/dev/null
ccb_done "$(tshark -r "$HERE/capture.pcap" 2>/dev/null | wc -l)"
