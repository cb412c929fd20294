#!/bin/sh
# make.sh: the oracle of tests/suite/filter-oracle: for every capture of the shared corpus
# and of tests/captures, the frames tshark's display-filter engine selects for each
# expression of EXPRS (one line each), written to NAME.tsv ("INDEX<TAB>frames", frames
# comma-separated). Run it again after changing EXPRS or adding captures; the test never
# runs tshark. Needs tshark with Lua (Debian's has it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus=${CORPUS:-$root/../shared/corpus}
[ -d "$corpus" ] || corpus=/work/shared/corpus
rm -f "$here"/*.tsv "$here"/*.frames
name() { # corpus/x.pcap -> corpus__x.pcap
	echo "$1" | sed 's|/|__|g'
}
list() {
	(cd "$corpus" && find . -maxdepth 1 -name '*.pcap*' | sort | sed "s|^\./|corpus/|")
	(cd "$root/tests" && find captures -name '*.pcap*' | sort)
}
list | while read -r rel; do
	case $rel in
	corpus/*) f=$corpus/${rel#corpus/} ;;
	*) f=$root/tests/$rel ;;
	esac
	out=$here/$(name "$rel").tsv
	FILTER_EXPRS=$here/EXPRS FILTER_OUT=$out tshark -n -r "$f" -q -X lua_script:"$here/oracle.lua" \
		-o tcp.desegment_tcp_streams:TRUE >/dev/null 2>&1 || true
	[ -s "$out" ] || echo "no result for $rel" >&2
	# every frame's time, length and captured length: what extract must keep
	tshark -n -r "$f" -T fields -e frame.time_epoch -e frame.len -e frame.cap_len \
		> "$here/$(name "$rel").frames" 2>/dev/null || true
done
# the TLS captures again with their key logs (NAME.keys next to NAME.pcap): decrypted
# handshake messages and what runs inside count (NAME.keylog.tsv)
for k in "$root"/tests/captures/tls/*.keys; do
	f=${k%.keys}.pcap
	[ -f "$f" ] || continue
	out=$here/$(name "captures/tls/${f##*/}").keylog.tsv
	FILTER_EXPRS=$here/EXPRS FILTER_OUT=$out tshark -n -r "$f" -q -X lua_script:"$here/oracle.lua" \
		-o tcp.desegment_tcp_streams:TRUE -o tls.keylog_file:"$k" >/dev/null 2>&1 || true
	[ -s "$out" ] || echo "no result for $f with its key log" >&2
done
# big lists (a capture of 40,000 frames) are kept gzip'd; the test reads either
find "$here" \( -name '*.tsv' -o -name '*.frames' \) -size +256k -exec gzip -9nf {} \;
