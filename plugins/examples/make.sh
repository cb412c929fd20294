#!/bin/sh
# make.sh: re-makes the example plugins' captures with real programs on 127.0.0.1
# (root for tcpdump): lenpref.pcap (port 7000), line.pcap (port 7001), mqtt.pcap
# (mosquitto and mosquitto_pub/sub on port 1883).
set -eu
cd "$(dirname "$0")"
cap() { # NAME PORT COMMAND...
	name=$1 port=$2; shift 2
	tcpdump -i lo -U -w "$name.pcap" "tcp port $port" 2>/dev/null & tp=$!
	sleep 1
	"$@"
	sleep 1
	kill $tp; wait $tp 2>/dev/null || true
}
cap lenpref 7000 python3 make-captures.py lenpref 7000
cap line 7001 python3 make-captures.py line 7001
if command -v mosquitto >/dev/null; then
	mqtt() {
		mosquitto -p 1883 >/dev/null 2>&1 & mq=$!
		sleep 0.5
		mosquitto_sub -h 127.0.0.1 -p 1883 -t 'chattcp/#' -C 2 -q 1 -i chattcp-sub >/dev/null & sub=$!
		sleep 0.3
		mosquitto_pub -h 127.0.0.1 -p 1883 -t chattcp/temp -m '21.5' -q 1 -i chattcp-pub
		mosquitto_pub -h 127.0.0.1 -p 1883 -t chattcp/door -m 'open' -q 0 -r -i chattcp-pub2
		wait $sub || true
		kill $mq; wait $mq 2>/dev/null || true
	}
	cap mqtt 1883 mqtt
fi
