#!/usr/bin/env bash
# make-h2-vectors.sh: writes h2_vectors.h, the TCP payloads of three h2c captures of
# tests/captures/h2 (made by make.sh there) in capture order, for test_h2.c. Needs tshark.
set -euo pipefail
cd "$(dirname "$0")"
{
	echo "/* h2_vectors.h: made by make-h2-vectors.sh from tests/captures/h2: the TCP payloads of"
	echo " * h2c captures, in capture order, hex, with the side that sent each (0 client, 1 server):"
	echo " * test_h2.c splits them at every byte. */"
	echo "struct seg { int dir; const char *hex; };"
	for n in h2c-push h2c-refused h2c-prior; do
		echo
		echo "static const struct seg $(echo "$n" | tr -- - _)[] = {"
		# the first connection only; the server is the port make.sh listened on (>= 8440)
		tshark -n -r "../captures/h2/$n.pcap" -Y 'tcp.stream == 0 && tcp.len > 0' -T fields -e tcp.srcport \
			-e tcp.payload | while read -r port hex; do
			d=0; [ "$port" -ge 8440 ] && [ "$port" -le 8460 ] && d=1
			printf '\t{ %d, "%s" },\n' "$d" "$(echo "$hex" | tr -d ':')"
		done
		printf '\t{ 0, NULL },\n};\n'
	done
} > h2_vectors.h
